import { X509Certificate } from 'node:crypto';
import { renderSVG } from 'uqr';
import { beforeAll, describe, expect, it } from 'vitest';
import { Problem } from '#protocol';
import { caDownload, createVenueCa, type VenueCa } from '../tls/venue-ca.ts';
import { createOnboardingApp, createTrustCheckApp, TRUST_CHECK_PATH } from './onboarding-app.ts';
import { fingerprintGroups } from './onboarding-page.ts';

// The onboarding port as a tablet meets it: the page (QR code, fingerprint, steps, a script
// that is a file), the CA downloads, 404 problems for the rest; and the HTTPS port's trust
// check, which answers the page's origin on the same host with CORS and no other.

let ca: VenueCa;
let app: ReturnType<typeof createOnboardingApp>;
const lan = (path: string, init: RequestInit = {}) =>
  app.request(`http://192.168.1.20:8789${path}`, {
    ...init,
    headers: { Host: '192.168.1.20:8789', ...init.headers },
  });

beforeAll(async () => {
  ca = await createVenueCa({ venueId: 'demo-bistro', now: new Date() });
  app = createOnboardingApp({
    venueId: 'demo-bistro',
    ca: caDownload(ca),
    httpsPort: 8788,
    lanHost: '192.168.1.20',
  });
});

describe('the onboarding page', () => {
  it('shows the QR code of the CA download, the fingerprint in groups, and the links', async () => {
    const res = await lan('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(
      renderSVG('http://192.168.1.20:8789/venue-ca.crt', { ecc: 'M', border: 2 }),
    );
    const groups = fingerprintGroups(ca.fingerprint);
    expect(groups).toHaveLength(8);
    expect(groups.join(' ').replaceAll(' ', ':')).toBe(ca.fingerprint);
    for (const group of groups) expect(html).toContain(group);
    expect(html).toContain('href="/venue-ca.crt"');
    expect(html).toContain('href="/venue-ca.pem"');
    expect(html).toContain('data-https-port="8788"');
    for (const platform of ['iPadOS', 'Android', 'ChromeOS']) expect(html).toContain(platform);
  });

  it('runs no inline script; its one script is a file the page may load, and may call HTTPS', async () => {
    const html = await (await lan('/')).text();
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/onboarding.js" defer>']);
    const csp = (await lan('/')).headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toContain("connect-src 'self' https://192.168.1.20:8788");
    const script = await lan('/onboarding.js');
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain('/onboarding/trust-check');
  });

  it('points the QR code at a LAN address when opened on the relay itself', async () => {
    const html = await (
      await app.request('http://localhost:8789/', { headers: { Host: 'localhost:8789' } })
    ).text();
    expect(html).toContain(
      renderSVG('http://192.168.1.20:8789/venue-ca.crt', { ecc: 'M', border: 2 }),
    );
  });

  it('hands out the CA as DER and as PEM, both the venue CA', async () => {
    const der = await lan('/venue-ca.crt');
    expect(der.headers.get('content-type')).toBe('application/x-x509-ca-cert');
    const fromDer = new X509Certificate(Buffer.from(await der.arrayBuffer()));
    expect(fromDer.fingerprint256).toBe(ca.fingerprint);
    expect(fromDer.ca).toBe(true);
    const pem = await lan('/venue-ca.pem');
    expect(new X509Certificate(await pem.text()).fingerprint256).toBe(ca.fingerprint);
  });

  it('answers anything else with a 404 problem', async () => {
    for (const path of ['/healthz', '/v1/auth/staff', '/venue-ca.key', '/tls/server.key']) {
      const res = await lan(path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(Problem.parse(await res.json())).toMatchObject({ code: 'NOT_FOUND', kind: 'stop' });
    }
  });
});

describe('the trust check on the HTTPS port', () => {
  const check = createTrustCheckApp({ onboardingPort: 8789 });
  const ask = (origin: string | undefined, method = 'GET') =>
    check.request(`https://192.168.1.20:8788${TRUST_CHECK_PATH}`, {
      method,
      headers: { Host: '192.168.1.20:8788', ...(origin ? { Origin: origin } : {}) },
    });

  it('lets the onboarding page on the same host read its answer', async () => {
    const res = await ask('http://192.168.1.20:8789');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://192.168.1.20:8789');
    expect(await res.json()).toEqual({ trusted: true });
    const preflight = await ask('http://192.168.1.20:8789', 'OPTIONS');
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://192.168.1.20:8789');
  });

  it('gives other origins no CORS header', async () => {
    for (const origin of ['http://evil.example:8789', 'http://192.168.1.20:80', undefined]) {
      const res = await ask(origin);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});
