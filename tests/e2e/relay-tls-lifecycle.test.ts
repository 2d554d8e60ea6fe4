import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVenueTls, writeServerCertificate } from '../../relay/tls/cert-store.ts';
import { issueServerCertificate, loadVenueCa } from '../../relay/tls/venue-ca.ts';
import { waitFor } from '../support/wait-for.ts';
import { CloudClient } from './support/cloud-client.ts';
import { type CloudProcess, startCloud, stopAllChildren } from './support/processes.ts';
import {
  call,
  describeHttp,
  httpsCall,
  json,
  type RelayHealth,
  type RelayProcess,
  startRelay,
  stopAllRelays,
  VENUE,
  venuePath,
} from './support/relay-process.ts';

// The relay process with its venue CA (the default): made on the first start, served on the
// LAN port and handed out on the onboarding port; a server certificate that no longer covers
// this machine's addresses is reissued on SIGHUP and swapped in without a restart; a restart
// keeps the CA and the certificate.

let root: string;
let cloud: CloudProcess;
let relay: RelayProcess;
let dataDir: string;

const serverCertFile = () => readFileSync(join(dataDir, 'tls', 'server.crt'), 'utf8');
const serialOf = (pem: string) => new X509Certificate(pem).serialNumber.toLowerCase();

/** The serial of the certificate a new TLS connection to the relay gets (trusting the CA). */
function servedSerial(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port: relay.port, ca: relay.ca(), servername: 'localhost' },
      () => {
        const serial = socket.getPeerCertificate().serialNumber.toLowerCase();
        socket.end();
        resolve(serial);
      },
    );
    socket.once('error', reject);
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hearth-e2e-tls-'));
  dataDir = join(root, 'relay');
  cloud = await startCloud({ dataDir: join(root, 'cloud') });
  // At the cloud, staff sign in on a paired tablet (decision 034).
  const manager = await (await CloudClient.paired(cloud.url, cloud.keysFile)).signIn('manager');
  const node = await call(`${cloud.url}${venuePath('/edge/nodes')}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${manager}` },
    body: JSON.stringify({ name: 'tls lifecycle relay' }),
  });
  if (node.status !== 201) throw new Error(`create edge node: ${describeHttp(node)}`);
  relay = await startRelay({
    cloudUrl: cloud.url,
    dataDir,
    enrollToken: json<{ enrollmentToken: string }>(node).enrollmentToken,
    tls: 'venue-ca',
  });
}, 60_000);

afterAll(async () => {
  await stopAllRelays();
  await stopAllChildren();
  rmSync(root, { recursive: true, force: true });
}, 30_000);

describe('the relay with its venue CA', () => {
  it('serves HTTPS a device trusting the CA accepts, and says so in /healthz', async () => {
    expect(relay.url).toMatch(/^https:/);
    const health = await relay.health();
    expect(health.tls).toEqual({
      mode: 'venue-ca',
      notAfter: new Date(new X509Certificate(serverCertFile()).validTo).toISOString(),
    });
    expect(await servedSerial()).toBe(serialOf(serverCertFile()));
    const line = relay.logLines().find((l) => l.msg === 'tls venue certificate');
    expect(line).toMatchObject({ outcome: 'created' });
    expect(JSON.stringify(relay.logLines())).not.toContain('PRIVATE KEY');
  });

  it('hands out that CA on the onboarding port, and the trust check answers the page', async () => {
    const der = await fetch(`${relay.onboardingUrl}/venue-ca.crt`);
    expect(der.status).toBe(200);
    const offered = new X509Certificate(Buffer.from(await der.arrayBuffer()));
    expect(offered.fingerprint256).toBe(new X509Certificate(relay.ca() ?? '').fingerprint256);
    const page = await call(`${relay.onboardingUrl}/`);
    expect(page.text).toContain(offered.fingerprint256.split(':').slice(0, 4).join(' '));

    const check = await httpsCall(`${relay.url}/onboarding/trust-check`, relay.ca() ?? '', {
      headers: { Origin: relay.onboardingUrl ?? '' },
    });
    expect(check.status, describeHttp(check)).toBe(200);
    expect(check.headers.get('access-control-allow-origin')).toBe(relay.onboardingUrl);
  });

  it('reissues a certificate that misses an address on SIGHUP, served without a restart', async () => {
    const before = await servedSerial();
    // A certificate from the same CA that no longer names 127.0.0.1, as after a move to
    // another network: the next check must replace it.
    const files = readVenueTls(dataDir);
    if (!files) throw new Error('no venue TLS files');
    const ca = await loadVenueCa({
      venueId: VENUE,
      certPem: files.caCertPem,
      keyPem: files.caKeyPem,
    });
    const stale = await issueServerCertificate(ca, {
      dnsNames: ['stale.lan'],
      ipAddresses: ['192.0.2.99'],
      now: new Date(),
    });
    writeServerCertificate(dataDir, stale.certPem, stale.keyPem);
    process.kill(relay.pid, 'SIGHUP');
    const rotated = await waitFor(
      'the rotation log line',
      () => relay.logLines().find((l) => l.msg === 'tls certificate rotated'),
      { timeoutMs: 10_000, intervalMs: 25 },
    );
    expect(rotated).toMatchObject({ trigger: 'sighup', reason: 'names_changed' });
    const reissued = serialOf(serverCertFile());
    expect(reissued).not.toBe(before);
    expect(reissued).not.toBe(serialOf(stale.certPem));
    expect(rotated.serial).toBe(reissued);
    expect(await servedSerial()).toBe(reissued);
    expect((await relay.health()).status).toBe('ok');
    expect(relay.exited()).toBe(false);
  });

  it('keeps the CA and the certificate over a restart, and serves with its onboarding port taken', async () => {
    const serial = await servedSerial();
    const caPem = relay.ca();
    await relay.stop();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, resolve));
    const taken = (squatter.address() as AddressInfo).port;
    try {
      relay = await startRelay({
        cloudUrl: cloud.url,
        dataDir,
        tls: 'venue-ca',
        env: { HEARTH_ONBOARDING_PORT: String(taken) },
      });
    } finally {
      squatter.close();
    }
    expect(relay.logLines().find((l) => l.msg === 'onboarding page not served')).toMatchObject({
      level: 'error',
      port: taken,
    });
    expect(relay.ca()).toBe(caPem);
    expect(await servedSerial()).toBe(serial);
    expect(relay.logLines().find((l) => l.msg === 'tls venue certificate')).toMatchObject({
      outcome: 'loaded',
    });
    const health: RelayHealth = await relay.health();
    expect(health.tls?.mode).toBe('venue-ca');
  });
});
