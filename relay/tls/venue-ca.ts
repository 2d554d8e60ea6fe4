import { isIP } from 'node:net';
import { x509 } from './x509.ts';

// The venue's own certificate authority: a CA kept on the relay signs the relay's HTTPS
// certificate for its LAN addresses and mDNS name, so tablets that trust the CA once get a
// secure context (service worker, outbox) on the LAN. Decision 030 says why and what.

const KEY = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;

/** The CA lives about ten years: replacing it means every device trusts the new one by hand. */
export const CA_LIFETIME_DAYS = 3650;
/** Server certificates stay under the 398 days Apple and Chromium allow for public TLS certs. */
export const SERVER_LIFETIME_DAYS = 397;
/** The relay issues a new server certificate this many days before the current one expires. */
export const RENEW_BEFORE_DAYS = 30;
/** notBefore sits an hour back so a tablet whose clock runs a little behind still accepts it. */
const BACKDATE_MS = 3_600_000;

export interface VenueCa {
  readonly venueId: string;
  readonly certificate: x509.X509Certificate;
  readonly privateKey: CryptoKey;
  /** SHA-256 of the certificate's DER, colon-separated upper-case hex pairs. */
  readonly fingerprint: string;
}

export interface ServerCertificate {
  readonly certificate: x509.X509Certificate;
  readonly privateKey: CryptoKey;
  /** The leaf alone, PEM: what `Bun.serve({ tls: { cert } })` takes. */
  readonly certPem: string;
  /** PKCS#8 PEM: what `Bun.serve({ tls: { key } })` takes. Never log it. */
  readonly keyPem: string;
}

export interface SubjectNames {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

/** The relay's mDNS host name, `hearth-<venue>.local`, the venue id reduced to one DNS label. */
export function venueMdnsName(venueId: string): string {
  const label = venueId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 63 - 'hearth-'.length)
    .replace(/-$/, '');
  if (label === '') throw new Error(`venue id ${JSON.stringify(venueId)} gives no DNS label`);
  return `hearth-${label}.local`;
}

/** A fresh CA for the venue: ECDSA P-256 key, self-signed, CA:true with pathLen 0. */
export async function createVenueCa(options: { venueId: string; now: Date }): Promise<VenueCa> {
  const keys = await generateKeys();
  const notBefore = backdated(options.now);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [`Hearth venue CA ${options.venueId}`] }],
    notBefore,
    notAfter: new Date(notBefore.getTime() + CA_LIFETIME_DAYS * DAY_MS),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    venueId: options.venueId,
    certificate,
    privateKey: keys.privateKey,
    fingerprint: await fingerprintOf(certificate),
  };
}

/** The CA back from its stored PEM files (see cert-store.ts). */
export async function loadVenueCa(options: {
  venueId: string;
  certPem: string;
  keyPem: string;
}): Promise<VenueCa> {
  const certificate = new x509.X509Certificate(options.certPem);
  const privateKey = await importPrivateKeyPem(options.keyPem);
  return {
    venueId: options.venueId,
    certificate,
    privateKey,
    fingerprint: await fingerprintOf(certificate),
  };
}

/**
 * A server certificate signed by the venue CA: its own P-256 key, the names (plus `localhost`)
 * and addresses in its SAN, serverAuth only, valid SERVER_LIFETIME_DAYS.
 */
export async function issueServerCertificate(
  ca: VenueCa,
  options: SubjectNames & { now: Date },
): Promise<ServerCertificate> {
  const names = normalisedNames(options);
  const dnsNames = names.dnsNames.includes('localhost')
    ? names.dnsNames
    : [...names.dnsNames, 'localhost'];
  const first = dnsNames[0] ?? 'localhost';
  const keys = await generateKeys();
  const notBefore = backdated(options.now);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [first] }],
    issuer: ca.certificate.subjectName,
    notBefore,
    notAfter: new Date(notBefore.getTime() + SERVER_LIFETIME_DAYS * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(
        [
          ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
          ...names.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
        ],
        false,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate.publicKey),
    ],
  });
  return {
    certificate,
    privateKey: keys.privateKey,
    certPem: certificatePem(certificate),
    keyPem: await privateKeyPem(keys.privateKey),
  };
}

export type RotationReason = 'not_yet_valid' | 'expiring' | 'names_changed';

/**
 * Why the certificate should be replaced now, or undefined: it is not valid yet, it expires
 * within `renewBeforeDays`, or its SAN misses a current name or address (extra old ones are
 * harmless). Without `current`, only the dates count (the CA's case).
 */
export function rotationReason(
  certificate: x509.X509Certificate,
  now: Date,
  options: { renewBeforeDays?: number; current?: SubjectNames } = {},
): RotationReason | undefined {
  const renewBeforeDays = options.renewBeforeDays ?? RENEW_BEFORE_DAYS;
  if (now.getTime() < certificate.notBefore.getTime()) return 'not_yet_valid';
  if (certificate.notAfter.getTime() - now.getTime() <= renewBeforeDays * DAY_MS) {
    return 'expiring';
  }
  if (options.current !== undefined) {
    const have = subjectNames(certificate);
    const want = normalisedNames(options.current);
    const covered =
      want.dnsNames.every((name) => have.dnsNames.includes(name)) &&
      want.ipAddresses.every((address) => have.ipAddresses.includes(address));
    if (!covered) return 'names_changed';
  }
  return undefined;
}

/** True within `renewBeforeDays` (default 30) of expiry, or when the SAN misses a current name. */
export function needsRotation(
  certificate: x509.X509Certificate,
  now: Date,
  options: { renewBeforeDays?: number; current?: SubjectNames } = {},
): boolean {
  return rotationReason(certificate, now, options) !== undefined;
}

/** The DNS names and IP addresses in a certificate's SAN, normalised as issuance writes them. */
export function subjectNames(certificate: x509.X509Certificate): SubjectNames {
  const san = certificate.getExtension(x509.SubjectAlternativeNameExtension);
  const items = san?.names.items ?? [];
  return normalisedNames({
    dnsNames: items.filter((item) => item.type === 'dns').map((item) => item.value),
    ipAddresses: items.filter((item) => item.type === 'ip').map((item) => item.value),
  });
}

/** What the onboarding page offers: the CA to download (PEM and DER) and its fingerprint. */
export function caDownload(ca: VenueCa): {
  pem: string;
  der: Uint8Array;
  fingerprint: string;
  subject: string;
  notAfter: Date;
} {
  return {
    pem: certificatePem(ca.certificate),
    der: new Uint8Array(ca.certificate.rawData),
    fingerprint: ca.fingerprint,
    subject: ca.certificate.subject,
    notAfter: ca.certificate.notAfter,
  };
}

export function certificatePem(certificate: x509.X509Certificate): string {
  return `${certificate.toString('pem')}\n`;
}

/** PKCS#8 PEM of a private key (the key must have been made extractable). Never log it. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

/** A P-256 signing key from PKCS#8 PEM; not extractable again once loaded. */
export async function importPrivateKeyPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return crypto.subtle.importKey('pkcs8', der, KEY, false, ['sign']);
}

/** SHA-256 over the DER, `AB:CD:…` (32 pairs), the form device settings show. */
export async function fingerprintOf(certificate: x509.X509Certificate): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', certificate.rawData));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

async function generateKeys(): Promise<CryptoKeyPair> {
  // Extractable so the relay can write the key once (mode 0600) for Bun.serve and restarts.
  return crypto.subtle.generateKey(KEY, true, ['sign', 'verify']);
}

/** 16 random bytes, top bit clear (a positive INTEGER) and the next set (a fixed length). */
function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Certificates carry whole seconds; the hour back absorbs small clock differences. */
function backdated(now: Date): Date {
  return new Date(Math.floor((now.getTime() - BACKDATE_MS) / 1000) * 1000);
}

function normalisedNames(names: SubjectNames): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames = [...new Set(names.dnsNames.map((name) => name.toLowerCase()))];
  const ipAddresses = [...new Set(names.ipAddresses.map(canonicalIp))];
  return { dnsNames, ipAddresses };
}

/** IPv4 as is; IPv6 in its compressed lower-case form, so `::1` and `0:0::1` compare equal. */
function canonicalIp(address: string): string {
  const kind = isIP(address);
  if (kind === 4) return address;
  if (kind === 6) return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  throw new Error(`${JSON.stringify(address)} is not an IP address`);
}
