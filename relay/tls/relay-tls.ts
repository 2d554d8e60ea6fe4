import { createPrivateKey, X509Certificate as NodeX509 } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { readVenueTls, writeServerCertificate, writeVenueTls } from './cert-store.ts';
import {
  certificatePem,
  createVenueCa,
  issueServerCertificate,
  loadVenueCa,
  privateKeyPem,
  type RotationReason,
  rotationReason,
  type SubjectNames,
  type VenueCa,
  venueMdnsName,
} from './venue-ca.ts';
import { x509 } from './x509.ts';

// The relay's TLS over its lifetime (decision 033): which names its certificate must carry,
// whether the stored venue certificate still fits them, and the certificate pair to serve.
// The decisions are pure; `ensureVenueTls` and `readOperatorPair` are the disk around them.

/** What `Bun.serve({ tls })` takes, plus what health and logs may say about it (no key). */
export interface ServedCertificate {
  readonly certPem: string;
  /** Never log it. */
  readonly keyPem: string;
  readonly serial: string;
  readonly notAfter: Date;
}

/**
 * The names the server certificate must cover: the mDNS name, `localhost`, the operator's
 * extra names, loopback and every non-internal address of this machine. IPv6 link-local
 * (fe80::/10) is left out: it needs a zone id, which browsers do not accept in URLs.
 */
export function lanSubjectNames(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
  venueId: string,
  extra: SubjectNames = { dnsNames: [], ipAddresses: [] },
): SubjectNames {
  const addresses = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((info) => !info.internal && !/^fe[89ab]/i.test(info.address))
    .map((info) => info.address);
  return {
    dnsNames: [...new Set([venueMdnsName(venueId), 'localhost', ...extra.dnsNames])],
    ipAddresses: [...new Set(['127.0.0.1', '::1', ...addresses, ...extra.ipAddresses])],
  };
}

export type VenueTlsPlan =
  | { readonly action: 'create' }
  | { readonly action: 'reissue'; readonly reason: RotationReason | 'other_issuer' }
  | { readonly action: 'keep' };

/**
 * What to do with the stored venue TLS: nothing stored → create the CA and a certificate;
 * a server certificate the CA did not sign, or one `rotationReason` finds fault with → issue
 * a new one from the same CA; else keep it.
 */
export async function planVenueTls(
  stored: { ca: x509.X509Certificate; server: x509.X509Certificate } | undefined,
  now: Date,
  names: SubjectNames,
): Promise<VenueTlsPlan> {
  if (stored === undefined) return { action: 'create' };
  const signed = await stored.server.verify({
    publicKey: stored.ca.publicKey,
    signatureOnly: true,
  });
  if (!signed) return { action: 'reissue', reason: 'other_issuer' };
  const reason = rotationReason(stored.server, now, { current: names });
  return reason === undefined ? { action: 'keep' } : { action: 'reissue', reason };
}

export interface VenueTlsState {
  readonly ca: VenueCa;
  readonly served: ServedCertificate;
  /** What this call did: created everything, issued a new server certificate, or loaded both. */
  readonly outcome: 'created' | 'loaded' | { readonly reissued: RotationReason | 'other_issuer' };
}

/**
 * The venue CA and server certificate under `<dataDir>/tls/`, made on the first call and
 * reissued when `planVenueTls` says so (written 0600/0700 by cert-store.ts). Throws
 * TlsFileError for incomplete or loosely-permitted files: a person must look at those.
 */
export async function ensureVenueTls(options: {
  dataDir: string;
  venueId: string;
  names: SubjectNames;
  now: Date;
}): Promise<VenueTlsState> {
  const files = readVenueTls(options.dataDir);
  const stored =
    files === undefined
      ? undefined
      : {
          ca: new x509.X509Certificate(files.caCertPem),
          server: new x509.X509Certificate(files.serverCertPem),
        };
  const plan = await planVenueTls(stored, options.now, options.names);
  if (plan.action === 'create' || files === undefined) {
    const ca = await createVenueCa({ venueId: options.venueId, now: options.now });
    const server = await issueServerCertificate(ca, { ...options.names, now: options.now });
    writeVenueTls(options.dataDir, {
      caCertPem: certificatePem(ca.certificate),
      caKeyPem: await privateKeyPem(ca.privateKey),
      serverCertPem: server.certPem,
      serverKeyPem: server.keyPem,
    });
    return { ca, served: served(server.certPem, server.keyPem), outcome: 'created' };
  }
  const ca = await loadVenueCa({
    venueId: options.venueId,
    certPem: files.caCertPem,
    keyPem: files.caKeyPem,
  });
  if (plan.action === 'keep') {
    return { ca, served: served(files.serverCertPem, files.serverKeyPem), outcome: 'loaded' };
  }
  const server = await issueServerCertificate(ca, { ...options.names, now: options.now });
  writeServerCertificate(options.dataDir, server.certPem, server.keyPem);
  return {
    ca,
    served: served(server.certPem, server.keyPem),
    outcome: { reissued: plan.reason },
  };
}

export class OperatorCertificateError extends Error {
  readonly code = 'TLS_OPERATOR_PAIR_INVALID';
}

/**
 * The operator's certificate and key files, checked before they are served: the certificate
 * (the first of a chain file) parses, the key parses, and the key is the certificate's.
 * Throws OperatorCertificateError naming the file, never its contents.
 */
export function readOperatorPair(paths: { cert: string; key: string }): ServedCertificate {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new OperatorCertificateError(`${path} cannot be read: ${(error as Error).message}`);
    }
  };
  const certPem = read(paths.cert);
  const keyPem = read(paths.key);
  let certificate: NodeX509;
  try {
    certificate = new NodeX509(certPem);
  } catch {
    throw new OperatorCertificateError(`${paths.cert} holds no PEM certificate`);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new OperatorCertificateError(`${paths.key} holds no PEM private key`);
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new OperatorCertificateError(
      `${paths.key} is not the private key of the certificate in ${paths.cert}`,
    );
  }
  return {
    certPem,
    keyPem,
    serial: certificate.serialNumber.toLowerCase(),
    notAfter: new Date(certificate.validTo),
  };
}

/** The pair to serve, with the leaf's serial and expiry read once. */
export function served(certPem: string, keyPem: string): ServedCertificate {
  const certificate = new x509.X509Certificate(certPem);
  return {
    certPem,
    keyPem,
    serial: certificate.serialNumber.toLowerCase(),
    notAfter: certificate.notAfter,
  };
}
