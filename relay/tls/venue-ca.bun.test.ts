import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { X509Certificate as NodeX509 } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readKeyFile,
  readVenueTls,
  TLS_FILES,
  TlsFileError,
  tlsDir,
  writeVenueTls,
} from './cert-store.ts';
import {
  CA_LIFETIME_DAYS,
  caDownload,
  createVenueCa,
  importPrivateKeyPem,
  issueServerCertificate,
  loadVenueCa,
  needsRotation,
  privateKeyPem,
  RENEW_BEFORE_DAYS,
  rotationReason,
  SERVER_LIFETIME_DAYS,
  type ServerCertificate,
  subjectNames,
  type VenueCa,
  venueMdnsName,
} from './venue-ca.ts';
import { x509 } from './x509.ts';

// Under Bun because the relay runs on Bun: its WebCrypto makes the keys and its TLS (BoringSSL)
// serves them. node:crypto's X509Certificate reads the same DER as a second, independent parser.

const DAY_MS = 86_400_000;
// The real clock: Bun.serve's certificates must be valid when the client checks them.
const now = new Date();
const venueId = 'demo-bistro';
const mdns = venueMdnsName(venueId);
const lan = { dnsNames: [mdns], ipAddresses: ['192.168.1.20', '127.0.0.1'] };

let ca: VenueCa;
let leaf: ServerCertificate;

beforeAll(async () => {
  ca = await createVenueCa({ venueId, now });
  leaf = await issueServerCertificate(ca, { ...lan, now });
});

describe('the venue CA', () => {
  it('is a self-signed P-256 CA, pathLen 0, keyCertSign + cRLSign, about ten years', async () => {
    const cert = new x509.X509Certificate(caDownload(ca).pem);
    expect(cert.subject).toBe('CN=Hearth venue CA demo-bistro');
    expect(cert.issuer).toBe(cert.subject);
    expect(await cert.isSelfSigned()).toBe(true);
    expect(cert.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(cert.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });

    const basic = cert.getExtension(x509.BasicConstraintsExtension);
    expect(basic?.critical).toBe(true);
    expect(basic?.ca).toBe(true);
    expect(basic?.pathLength).toBe(0);
    const usage = cert.getExtension(x509.KeyUsagesExtension);
    expect(usage?.critical).toBe(true);
    expect(usage?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);

    const lifetime = cert.notAfter.getTime() - cert.notBefore.getTime();
    expect(lifetime).toBe(CA_LIFETIME_DAYS * DAY_MS);
    expect(cert.notBefore.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(cert.notBefore.getTime()).toBeGreaterThanOrEqual(now.getTime() - 2 * 3_600_000);

    const node = new NodeX509(caDownload(ca).der);
    expect(node.ca).toBe(true);
  });

  it('has a colon-hex SHA-256 fingerprint that another parser computes the same', () => {
    expect(ca.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(ca.fingerprint).toBe(new NodeX509(caDownload(ca).pem).fingerprint256);
    expect(caDownload(ca).fingerprint).toBe(ca.fingerprint);
  });

  it('round-trips through PEM: a loaded CA has the same fingerprint and still signs', async () => {
    const loaded = await loadVenueCa({
      venueId,
      certPem: caDownload(ca).pem,
      keyPem: await privateKeyPem(ca.privateKey),
    });
    expect(loaded.fingerprint).toBe(ca.fingerprint);
    expect(loaded.privateKey.extractable).toBe(false);
    const issued = await issueServerCertificate(loaded, { ...lan, now });
    expect(
      await issued.certificate.verify({ publicKey: ca.certificate.publicKey, date: now }),
    ).toBe(true);
  });

  it('names the relay hearth-<venue>.local, one DNS label', () => {
    expect(mdns).toBe('hearth-demo-bistro.local');
    expect(venueMdnsName('01JD3K_Z9.Bistro~2')).toBe('hearth-01jd3k-z9-bistro-2.local');
    expect(venueMdnsName('x'.repeat(80)).split('.')[0]).toHaveLength(63);
  });
});

describe('the server certificate', () => {
  it('carries the mDNS name, localhost and the LAN IPs, serverAuth, digitalSignature, ≤ 397 days', () => {
    const cert = new x509.X509Certificate(leaf.certPem);
    expect(cert.issuer).toBe(ca.certificate.subject);
    expect(cert.subject).toBe(`CN=${mdns}`);
    expect(subjectNames(cert)).toEqual({
      dnsNames: [mdns, 'localhost'],
      ipAddresses: ['192.168.1.20', '127.0.0.1'],
    });
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([
      x509.ExtendedKeyUsage.serverAuth,
    ]);
    expect(cert.getExtension(x509.KeyUsagesExtension)?.usages).toBe(
      x509.KeyUsageFlags.digitalSignature,
    );
    expect(cert.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    expect(cert.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    const lifetime = cert.notAfter.getTime() - cert.notBefore.getTime();
    expect(lifetime).toBe(SERVER_LIFETIME_DAYS * DAY_MS);
    expect(lifetime).toBeLessThanOrEqual(397 * DAY_MS);

    const node = new NodeX509(leaf.certPem);
    expect(node.checkHost(mdns)).toBe(mdns);
    expect(node.checkIP('192.168.1.20')).toBe('192.168.1.20');
    expect(node.checkIP('192.168.1.21')).toBeUndefined();
    expect(node.checkIssued(new NodeX509(caDownload(ca).pem))).toBe(true);
  });

  it('gets a random positive 128-bit serial each time', async () => {
    const again = await issueServerCertificate(ca, { ...lan, now });
    expect(leaf.certificate.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/);
    expect(again.certificate.serialNumber).not.toBe(leaf.certificate.serialNumber);
  });

  it('chains to the venue CA, and not to another venue’s', async () => {
    const chain = await new x509.X509ChainBuilder({ certificates: [ca.certificate] }).build(
      leaf.certificate,
    );
    expect(chain.map((cert) => cert.subject)).toEqual([`CN=${mdns}`, ca.certificate.subject]);
    expect(await leaf.certificate.verify({ publicKey: ca.certificate.publicKey, date: now })).toBe(
      true,
    );
    const other = await createVenueCa({ venueId: 'other-venue', now });
    expect(await leaf.certificate.verify({ publicKey: other.certificate.publicKey })).toBe(false);
  });

  it('exports a PKCS#8 key that imports back', async () => {
    expect(leaf.keyPem).toStartWith('-----BEGIN PRIVATE KEY-----');
    const key = await importPrivateKeyPem(leaf.keyPem);
    expect(key.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
  });
});

describe('HTTPS with Bun.serve', () => {
  let server: ReturnType<typeof Bun.serve>;
  let mismatched: ReturnType<typeof Bun.serve>;
  const serve = (cert: ServerCertificate) =>
    Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      tls: { cert: cert.certPem, key: cert.keyPem },
      fetch: () => new Response('hearth'),
    });

  beforeAll(async () => {
    server = serve(leaf);
    // Same CA, but 127.0.0.1 is not in this one's SAN (localhost is, as a name).
    const elsewhere = await issueServerCertificate(ca, {
      dnsNames: [mdns],
      ipAddresses: ['192.168.1.20'],
      now,
    });
    mismatched = serve(elsewhere);
  });

  afterAll(async () => {
    await server.stop(true);
    await mismatched.stop(true);
  });

  const failure = async (promise: Promise<Response>): Promise<string> => {
    try {
      await promise;
    } catch (error) {
      return String((error as { code?: string }).code ?? error);
    }
    return 'answered';
  };

  it('answers a client that trusts only the venue CA', async () => {
    const url = `https://127.0.0.1:${server.port}/`;
    const response = await fetch(url, { tls: { ca: caDownload(ca).pem } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hearth');
  });

  it('is refused by a client that trusts nothing extra (the issuer is unknown)', async () => {
    const url = `https://127.0.0.1:${server.port}/`;
    expect(await failure(fetch(url))).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('is refused by a client that trusts another venue’s CA', async () => {
    const other = await createVenueCa({ venueId: 'other-venue', now });
    const url = `https://127.0.0.1:${server.port}/`;
    expect(await failure(fetch(url, { tls: { ca: caDownload(other).pem } }))).toBe(
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    );
  });

  it('is refused for an address the SAN does not name, even with the CA trusted', async () => {
    const url = `https://127.0.0.1:${mismatched.port}/`;
    expect(await failure(fetch(url, { tls: { ca: caDownload(ca).pem } }))).toBe(
      'ERR_TLS_CERT_ALTNAME_INVALID',
    );
  });
});

describe('needsRotation', () => {
  const expiry = () => leaf.certificate.notAfter.getTime();
  const windowStart = () => expiry() - RENEW_BEFORE_DAYS * DAY_MS;

  it('is false before the window, true at its start, inside it and after expiry', () => {
    expect(needsRotation(leaf.certificate, new Date(windowStart() - 1000), { current: lan })).toBe(
      false,
    );
    expect(needsRotation(leaf.certificate, new Date(windowStart()), { current: lan })).toBe(true);
    expect(needsRotation(leaf.certificate, new Date(windowStart() + DAY_MS))).toBe(true);
    expect(rotationReason(leaf.certificate, new Date(expiry() + 1000))).toBe('expiring');
    expect(needsRotation(leaf.certificate, now, { current: lan })).toBe(false);
  });

  it('takes another window', () => {
    const at = new Date(expiry() - 45 * DAY_MS);
    expect(needsRotation(leaf.certificate, at)).toBe(false);
    expect(needsRotation(leaf.certificate, at, { renewBeforeDays: 60 })).toBe(true);
  });

  it('is true before notBefore (the clock went back past issuance)', () => {
    const before = new Date(leaf.certificate.notBefore.getTime() - 1000);
    expect(rotationReason(leaf.certificate, before)).toBe('not_yet_valid');
  });

  it('is true when a current address or name is missing from the SAN, not for a dropped one', () => {
    const moved = { dnsNames: [mdns], ipAddresses: ['192.168.1.20', '10.0.0.5'] };
    expect(rotationReason(leaf.certificate, now, { current: moved })).toBe('names_changed');
    const renamed = { dnsNames: ['hearth-elsewhere.local'], ipAddresses: ['127.0.0.1'] };
    expect(rotationReason(leaf.certificate, now, { current: renamed })).toBe('names_changed');
    const fewer = { dnsNames: [mdns.toUpperCase()], ipAddresses: ['192.168.1.20'] };
    expect(needsRotation(leaf.certificate, now, { current: fewer })).toBe(false);
  });

  it('compares IPv6 addresses by value, not spelling', async () => {
    const v6 = await issueServerCertificate(ca, {
      dnsNames: [mdns],
      ipAddresses: ['fd00:0:0:0::1'],
      now,
    });
    const same = { dnsNames: [], ipAddresses: ['FD00::0001'] };
    expect(needsRotation(v6.certificate, now, { current: same })).toBe(false);
    const other = { dnsNames: [], ipAddresses: ['fd00::2'] };
    expect(needsRotation(v6.certificate, now, { current: other })).toBe(true);
  });
});

describe('the files under <data dir>/tls', () => {
  let dataDir: string;
  const write = async () =>
    writeVenueTls(dataDir, {
      caCertPem: caDownload(ca).pem,
      caKeyPem: await privateKeyPem(ca.privateKey),
      serverCertPem: leaf.certPem,
      serverKeyPem: leaf.keyPem,
    });

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'hearth-venue-ca-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const modeOf = (name: string) => statSync(join(tlsDir(dataDir), name)).mode & 0o777;

  it('reads as nothing before the first write', () => {
    expect(readVenueTls(dataDir)).toBeUndefined();
  });

  it('writes keys 0600 and certificates 0644 in a 0700 directory, whatever the umask', async () => {
    // A temp file left by a crash keeps its mode through writeFileSync; the write must not.
    mkdirSync(tlsDir(dataDir), { recursive: true, mode: 0o755 });
    writeFileSync(join(tlsDir(dataDir), `${TLS_FILES.serverKey}.tmp`), 'stale', { mode: 0o644 });
    const umask = process.umask(0);
    try {
      await write();
    } finally {
      process.umask(umask);
    }
    expect(statSync(tlsDir(dataDir)).mode & 0o777).toBe(0o700);
    expect(modeOf(TLS_FILES.caKey)).toBe(0o600);
    expect(modeOf(TLS_FILES.serverKey)).toBe(0o600);
    expect(modeOf(TLS_FILES.caCert)).toBe(0o644);
    expect(modeOf(TLS_FILES.serverCert)).toBe(0o644);
  });

  it('reads back what it wrote, and the CA loads from it', async () => {
    const files = readVenueTls(dataDir);
    expect(files?.serverCertPem).toBe(leaf.certPem);
    expect(files?.serverKeyPem).toBe(leaf.keyPem);
    const loaded = await loadVenueCa({
      venueId,
      certPem: files?.caCertPem ?? '',
      keyPem: files?.caKeyPem ?? '',
    });
    expect(loaded.fingerprint).toBe(ca.fingerprint);
  });

  it('refuses a key file group or others can read, naming the file', () => {
    const path = join(tlsDir(dataDir), TLS_FILES.serverKey);
    for (const mode of [0o640, 0o604, 0o620]) {
      chmodSync(path, mode);
      expect(() => readVenueTls(dataDir)).toThrow(TlsFileError);
      expect(() => readKeyFile(path)).toThrow(`${path} has mode 0${mode.toString(8)}`);
    }
    chmodSync(path, 0o600);
    expect(readKeyFile(path)).toBe(leaf.keyPem);
  });

  it('refuses an incomplete set, naming what is missing', async () => {
    const path = join(tlsDir(dataDir), TLS_FILES.caKey);
    unlinkSync(path);
    expect(() => readVenueTls(dataDir)).toThrow(`${path} missing`);
    await write();
    expect(readVenueTls(dataDir)).toBeDefined();
  });
});

describe('cost on this machine (printed, not asserted)', () => {
  it('times CA creation and server issuance', async () => {
    const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1] ?? 0;
    const caTimes: number[] = [];
    const leafTimes: number[] = [];
    for (let i = 0; i < 21; i++) {
      let start = performance.now();
      const fresh = await createVenueCa({ venueId, now });
      caTimes.push(performance.now() - start);
      start = performance.now();
      await issueServerCertificate(fresh, { ...lan, now });
      leafTimes.push(performance.now() - start);
    }
    console.log(
      `venue CA: create ${median(caTimes).toFixed(2)} ms median (max ${Math.max(...caTimes).toFixed(2)}), ` +
        `issue server cert ${median(leafTimes).toFixed(2)} ms median (max ${Math.max(...leafTimes).toFixed(2)}), 21 runs`,
    );
    expect(caTimes).toHaveLength(21);
  });
});
