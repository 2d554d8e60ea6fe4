import { describe, expect, it } from 'vitest';
import { DEMO } from '../seed/demo-seed.ts';
import { pairTestDevice } from '../testing/devices.ts';
import { makeTestApp } from '../testing/test-app.ts';

describe('browser sessions', () => {
  it('sign-in sets an HttpOnly, SameSite=Strict cookie that authenticates later requests; logout clears it', async () => {
    const t = await makeTestApp({ realTokens: true });
    const device = await pairTestDevice(t);
    const res = await t.app.request('/v1/auth/staff', {
      method: 'POST',
      // A browser sends its device credential as the hearth_device cookie.
      headers: { 'Content-Type': 'application/json', Cookie: `hearth_device=${device.secret}` },
      body: JSON.stringify({ venueId: DEMO.venueId, pin: DEMO.pins.server }),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^hearth_session=[\w.-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/,
    );
    const session = cookie.split(';')[0] ?? '';
    const snapshot = await t.app.request(`/v1/venues/${DEMO.venueId}/snapshot?scopes=menu`, {
      headers: { Cookie: session },
    });
    expect(snapshot.status).toBe(200);
    const noCookie = await t.app.request(`/v1/venues/${DEMO.venueId}/snapshot?scopes=menu`);
    expect(noCookie.status).toBe(401);
    const out = await t.app.request('/v1/auth/logout', { method: 'POST' });
    expect(out.headers.get('set-cookie')).toMatch(/^hearth_session=; .*Max-Age=0/);
    // The HTTP cache only: "cookies" would take the device credential too (unpairing the
    // tablet at every sign-out) and "storage" the outbox's ops.
    expect(out.headers.get('clear-site-data')).toBe('"cache"');
    expect(out.headers.getSetCookie()).toHaveLength(1);
  });

  it('behind a TLS proxy (an https: public origin) the cookie is Secure on plain-HTTP requests', async () => {
    const t = await makeTestApp({ realTokens: true, publicOrigin: 'https://cloud.example' });
    const device = await pairTestDevice(t);
    const signIn = await t.app.request('http://cloud.internal/v1/auth/staff', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...device.header },
      body: JSON.stringify({ venueId: DEMO.venueId, pin: DEMO.pins.server }),
    });
    expect(signIn.headers.get('set-cookie')).toMatch(/; Secure$/);
    const out = await t.app.request('http://cloud.internal/v1/auth/logout', { method: 'POST' });
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0; Secure$/);
  });
});
