import { afterAll, describe, expect, it } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogFields, LogLevel } from '../../server/logger.ts';
import { TLS_FILES, tlsDir } from './cert-store.ts';
import {
  ensureVenueTls,
  lanSubjectNames,
  OperatorCertificateError,
  planVenueTls,
  readOperatorPair,
  served,
} from './relay-tls.ts';
import { createTlsRotation, watchFiles } from './tls-rotation.ts';
import {
  createVenueCa,
  issueServerCertificate,
  SERVER_LIFETIME_DAYS,
  subjectNames,
  venueMdnsName,
} from './venue-ca.ts';
import { x509 } from './x509.ts';

// The relay's TLS lifecycle on a real data dir: first start, restart, rotation on new names
// and near expiry, and the operator's pair checked before it may replace the served one.

const DAY_MS = 86_400_000;
const now = new Date();
const venueId = 'demo-bistro';
const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-relay-tls-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const names = lanSubjectNames(
  {
    lo: [{ address: '127.0.0.1', internal: true } as never],
    eth0: [
      { address: '192.168.1.20', internal: false } as never,
      { address: 'fd00::20', internal: false } as never,
      { address: 'fe80::1', internal: false } as never,
    ],
  },
  venueId,
  { dnsNames: ['relay.lan'], ipAddresses: ['10.0.0.5'] },
);

describe('the names the server certificate must cover', () => {
  it('are the mDNS name, localhost, extras, loopback and non-internal addresses', () => {
    expect(names).toEqual({
      dnsNames: [venueMdnsName(venueId), 'localhost', 'relay.lan'],
      ipAddresses: ['127.0.0.1', '::1', '192.168.1.20', 'fd00::20', '10.0.0.5'],
    });
  });
});

describe('the venue TLS over restarts', () => {
  it('is created on the first start, keys 0600 in a 0700 directory', async () => {
    const dir = dataDir();
    const first = await ensureVenueTls({ dataDir: dir, venueId, names, now });
    expect(first.outcome).toBe('created');
    expect(statSync(tlsDir(dir)).mode & 0o777).toBe(0o700);
    expect(statSync(join(tlsDir(dir), TLS_FILES.caKey)).mode & 0o777).toBe(0o600);
    expect(statSync(join(tlsDir(dir), TLS_FILES.serverKey)).mode & 0o777).toBe(0o600);
    const san = subjectNames(new x509.X509Certificate(first.served.certPem));
    expect(san.ipAddresses).toEqual(expect.arrayContaining(names.ipAddresses as string[]));
    expect(san.dnsNames).toEqual(expect.arrayContaining(names.dnsNames as string[]));

    const again = await ensureVenueTls({ dataDir: dir, venueId, names, now });
    expect(again.outcome).toBe('loaded');
    expect(again.served.serial).toBe(first.served.serial);
    expect(again.ca.fingerprint).toBe(first.ca.fingerprint);
  });

  it('reissues from the same CA when an address is new or expiry is near', async () => {
    const dir = dataDir();
    const first = await ensureVenueTls({ dataDir: dir, venueId, names, now });
    const moved = { ...names, ipAddresses: [...names.ipAddresses, '192.168.50.7'] };
    const renamed = await ensureVenueTls({ dataDir: dir, venueId, names: moved, now });
    expect(renamed.outcome).toEqual({ reissued: 'names_changed' });
    expect(renamed.served.serial).not.toBe(first.served.serial);
    expect(renamed.ca.fingerprint).toBe(first.ca.fingerprint);
    expect(readFileSync(join(tlsDir(dir), TLS_FILES.serverCert), 'utf8')).toBe(
      renamed.served.certPem,
    );

    const later = new Date(now.getTime() + (SERVER_LIFETIME_DAYS - 20) * DAY_MS);
    const renewed = await ensureVenueTls({ dataDir: dir, venueId, names: moved, now: later });
    expect(renewed.outcome).toEqual({ reissued: 'expiring' });
    expect(renewed.served.notAfter.getTime()).toBeGreaterThan(renamed.served.notAfter.getTime());
    expect(renewed.ca.fingerprint).toBe(first.ca.fingerprint);
  });

  it('reissues a server certificate another CA signed', async () => {
    const ca = await createVenueCa({ venueId, now });
    const other = await createVenueCa({ venueId, now });
    const leaf = await issueServerCertificate(other, { ...names, now });
    expect(
      await planVenueTls({ ca: ca.certificate, server: leaf.certificate }, now, names),
    ).toEqual({ action: 'reissue', reason: 'other_issuer' });
    const own = await issueServerCertificate(ca, { ...names, now });
    expect(await planVenueTls({ ca: ca.certificate, server: own.certificate }, now, names)).toEqual(
      { action: 'keep' },
    );
  });
});

describe('the operator’s certificate', () => {
  const pairIn = async (dir: string) => {
    const ca = await createVenueCa({ venueId: 'operator', now });
    const leaf = await issueServerCertificate(ca, { ...names, now });
    const paths = { cert: join(dir, 'relay.crt'), key: join(dir, 'relay.key') };
    writeFileSync(paths.cert, leaf.certPem);
    writeFileSync(paths.key, leaf.keyPem, { mode: 0o600 });
    return { leaf, paths };
  };

  it('is served once the key is the certificate’s; a mismatched or broken pair is named', async () => {
    const dir = dataDir();
    const { leaf, paths } = await pairIn(dir);
    expect(readOperatorPair(paths).serial).toBe(leaf.certificate.serialNumber.toLowerCase());

    const stranger = await issueServerCertificate(await createVenueCa({ venueId, now }), {
      ...names,
      now,
    });
    writeFileSync(paths.key, stranger.keyPem);
    expect(() => readOperatorPair(paths)).toThrow(/relay\.key is not the private key/);
    writeFileSync(paths.cert, 'not a certificate');
    expect(() => readOperatorPair(paths)).toThrow(OperatorCertificateError);
    expect(() => readOperatorPair({ ...paths, cert: join(dir, 'gone.crt') })).toThrow(
      /cannot be read/,
    );
  });

  it('replaced by a bad pair: logged, and the old one keeps serving', async () => {
    const dir = dataDir();
    const { leaf, paths } = await pairIn(dir);
    const lines: { level: LogLevel; msg: string; fields?: LogFields }[] = [];
    let tls = served(leaf.certPem, leaf.keyPem);
    const swaps: string[] = [];
    const rotation = createTlsRotation({
      listener: {
        get tls() {
          return tls;
        },
        swap(next) {
          swaps.push(next.serial);
          tls = next;
          return { bindMs: 1 };
        },
      },
      load: async () => ({ served: readOperatorPair(paths), reason: 'files_changed' }),
      log: (level, msg, fields) => lines.push({ level, msg, fields }),
    });
    expect(await rotation.check('files')).toBe('kept');

    writeFileSync(paths.key, 'garbage');
    expect(await rotation.check('files')).toBe('failed');
    expect(tls.serial).toBe(leaf.certificate.serialNumber.toLowerCase());
    expect(lines.at(-1)).toMatchObject({
      level: 'error',
      msg: expect.stringContaining('keeps serving'),
    });
    expect(JSON.stringify(lines)).not.toContain('PRIVATE KEY');

    const renewed = await pairIn(dir);
    expect(await rotation.check('files')).toBe('rotated');
    expect(swaps).toEqual([renewed.leaf.certificate.serialNumber.toLowerCase()]);
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'tls certificate rotated' });
  });

  it('checked again when asked during a check: the second check reads the files after the first', async () => {
    const dir = dataDir();
    const { leaf, paths } = await pairIn(dir);
    let tls = served(leaf.certPem, leaf.keyPem);
    let loads = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const rotation = createTlsRotation({
      listener: {
        get tls() {
          return tls;
        },
        swap(next) {
          tls = next;
          return { bindMs: 1 };
        },
      },
      load: async () => {
        loads++;
        if (loads === 1) await gate;
        return { served: readOperatorPair(paths), reason: 'files_changed' };
      },
      log: () => undefined,
    });
    const first = rotation.check('files');
    // The files change while the first check runs; two more requests share one next check.
    const renewed = await pairIn(dir);
    const second = rotation.check('files');
    const third = rotation.check('files');
    expect(third).toBe(second);
    release();
    expect(await first).toBe('rotated');
    expect(await second).toBe('kept');
    expect(loads).toBe(2);
    expect(tls.serial).toBe(renewed.leaf.certificate.serialNumber.toLowerCase());
  });

  it('is noticed when its files change (watch or poll), once per burst of writes', async () => {
    const dir = dataDir();
    const { paths } = await pairIn(dir);
    let calls = 0;
    const stop = watchFiles([paths.cert, paths.key], () => calls++, {
      debounceMs: 50,
      pollMs: 100,
    });
    try {
      await Bun.sleep(150);
      writeFileSync(paths.cert, readFileSync(paths.cert, 'utf8'));
      writeFileSync(paths.key, `${readFileSync(paths.key, 'utf8')}\n`);
      const deadline = Date.now() + 2_000;
      while (calls === 0 && Date.now() < deadline) await Bun.sleep(20);
      await Bun.sleep(300);
      expect(calls).toBeGreaterThanOrEqual(1);
      expect(calls).toBeLessThanOrEqual(2);
    } finally {
      stop();
    }
  });
});
