import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUN_MAX_HTTP_HEADER_SIZE, MAX_HEADER_BYTES } from '../../server/header-limit.ts';
import { type VenueHarness, venueHarness } from './support/relay-process.ts';

// Both servers as real Bun processes, started as scripts/start.mjs starts them: a request whose
// headers are too large is answered by the app (431 problem+json), not by Bun's bare 431.

let h: VenueHarness;

beforeAll(async () => {
  h = await venueHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const bearer = (bytes: number) => ({ Authorization: `Bearer ${'x'.repeat(bytes)}` });
const path = '/v1/venues/demo-bistro/snapshot';

describe.each([
  ['cloud', () => h.cloud.url],
  ['relay', () => h.relay.url],
])('the %s', (_, base) => {
  it('answers a large but allowed Authorization with its own 401 problem', async () => {
    const res = await fetch(`${base()}${path}`, { headers: bearer(9 * 1024) });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it.each([
    ['past the app’s limit', MAX_HEADER_BYTES + 1024],
    ['past Bun’s default 16 KiB', 40 * 1024],
  ])('answers headers %s with a 431 problem saying what to do', async (_, bytes) => {
    expect(bytes).toBeLessThan(BUN_MAX_HTTP_HEADER_SIZE);
    const res = await fetch(`${base()}${path}`, { headers: bearer(bytes) });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      status: 431,
      code: 'HEADERS_TOO_LARGE',
      kind: 'fix_request',
      detail: expect.stringContaining(String(MAX_HEADER_BYTES)),
    });
  });
});

it('the relay logs the 431 like any request, without the header', async () => {
  await fetch(`${h.relay.url}${path}`, { headers: bearer(MAX_HEADER_BYTES + 10) });
  await expect
    .poll(() => h.relay.logLines().filter((l) => l.msg === 'request' && l.status === 431).length, {
      timeout: 10_000,
    })
    .toBeGreaterThan(0);
  expect(h.relay.output().stdout).not.toContain('x'.repeat(100));
});
