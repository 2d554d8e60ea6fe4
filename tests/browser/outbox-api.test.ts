import { expect } from '@esm-bundle/chai';
import { Problem } from '#protocol';
import type { OutboxStore } from '../../web/device/outbox-store.ts';
import { type ApiDeps, DIRECT_HEADER, handleApi, isApiRequest } from '../../web/sw/api-handler.ts';
import { callWaiter, createOrder, freshStore, T0 } from './outbox-fixtures.ts';

// What the service worker answers for /api/*, called directly in the page with a real store
// and a recording fetch in place of the network.

const ORIGIN = 'https://venue.example';
const OPS_URL = `${ORIGIN}/api/v1/venues/demo-bistro/ops`;

describe('outbox API handler', () => {
  let store: OutboxStore;
  let dispose: () => Promise<void>;
  let forwarded: Request[];
  let queued: number;
  let network: 'up' | 'down';

  beforeEach(async () => {
    ({ store, dispose } = await freshStore({ cap: 2 }));
    forwarded = [];
    queued = 0;
    network = 'up';
  });

  afterEach(async () => {
    await dispose();
  });

  const deps = (): ApiDeps => ({
    store,
    target: ORIGIN,
    now: () => T0,
    queued: () => {
      queued += 1;
    },
    fetch: async (request) => {
      forwarded.push(request);
      if (network === 'down') throw new TypeError('Failed to fetch');
      return Response.json({ from: new URL(request.url).pathname }, { status: 200 });
    },
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    handleApi(
      new Request(OPS_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
      deps(),
    );

  async function problemOf(response: Response): Promise<Problem> {
    expect(response.headers.get('content-type')).to.equal('application/problem+json');
    return Problem.parse(await response.json());
  }

  it('queues a valid op and answers 202 at once, without the network', async () => {
    const op = await createOrder('order-1');
    const response = await post(op, { 'idempotency-key': op.opId });
    expect(response.status).to.equal(202);
    expect(await response.json()).to.deep.equal({ op, status: 'pending' });
    expect(forwarded).to.have.length(0);
    expect(queued).to.equal(1);
    expect((await store.get(op.opId))?.status).to.equal('pending');
  });

  it('answers a repeated POST of the same op with its entry, queued once', async () => {
    const op = await createOrder('order-1');
    await post(op);
    const again = await post(op);
    expect(again.status).to.equal(202);
    expect(queued).to.equal(1);
    expect(await store.list()).to.have.length(1);
  });

  it('refuses bad input with 400 problem+json and stores nothing', async () => {
    const op = await createOrder('order-1');
    const cases: [unknown, string][] = [
      ['{not json', 'MALFORMED_JSON'],
      [{ ...op, type: 'order.explode' }, 'UNKNOWN_OP_TYPE'],
      [{ ...op, payload: { orderId: '' } }, 'VALIDATION'],
      [{ ...op, venueId: 'other-venue' }, 'VENUE_MISMATCH'],
      [{ ...op, payloadHash: '0'.repeat(64) }, 'PAYLOAD_HASH_MISMATCH'],
    ];
    for (const [body, code] of cases) {
      const response = await post(body);
      expect(response.status, code).to.equal(400);
      expect((await problemOf(response)).code).to.equal(code);
    }
    const mismatch = await post(op, { 'idempotency-key': '01JD0000000000000000000009' });
    expect((await problemOf(mismatch)).code).to.equal('IDEMPOTENCY_KEY_MISMATCH');
    expect(await store.list()).to.deep.equal([]);
    expect(queued).to.equal(0);
  });

  it('says OUTBOX_FULL when the queue is at its cap, and 422 for a reused opId', async () => {
    await post(await callWaiter('table-1'));
    const second = await callWaiter('table-2');
    await post(second);
    const full = await post(await callWaiter('table-3'));
    expect(full.status).to.equal(507);
    expect(await problemOf(full)).to.include({ code: 'OUTBOX_FULL', kind: 'back_off' });

    const reused = await post({ ...(await callWaiter('table-4')), opId: second.opId });
    expect(reused.status).to.equal(422);
    expect((await problemOf(reused)).code).to.equal('IDEMPOTENCY_KEY_REUSED');
  });

  it('passes every other /api request through as /v1, same origin, with its query and body', async () => {
    const read = await handleApi(
      new Request(`${ORIGIN}/api/v1/venues/demo-bistro/feed?cursor=abc&limit=5`),
      deps(),
    );
    expect(await read.json()).to.deep.equal({ from: '/v1/venues/demo-bistro/feed' });
    expect(forwarded[0]?.url).to.equal(`${ORIGIN}/v1/venues/demo-bistro/feed?cursor=abc&limit=5`);
    expect(forwarded[0]?.credentials).to.equal('same-origin');

    await handleApi(
      new Request(`${ORIGIN}/api/v1/auth/staff`, {
        method: 'POST',
        body: '{"venueId":"demo-bistro","pin":"1111"}',
      }),
      deps(),
    );
    expect(forwarded[1]?.method).to.equal('POST');
    expect(await forwarded[1]?.text()).to.equal('{"venueId":"demo-bistro","pin":"1111"}');

    // An online-only write (a booking with a deposit) skips the outbox when asked to.
    const op = await createOrder('order-1');
    await post(op, { [DIRECT_HEADER]: '1' });
    expect(forwarded[2]?.url).to.equal(`${ORIGIN}/v1/venues/demo-bistro/ops`);
    expect(await store.list()).to.deep.equal([]);
  });

  it('answers 503 problem+json when the target cannot be reached', async () => {
    network = 'down';
    const response = await handleApi(
      new Request(`${ORIGIN}/api/v1/venues/demo-bistro/snapshot`),
      deps(),
    );
    expect(response.status).to.equal(503);
    expect(await problemOf(response)).to.include({ code: 'OFFLINE', kind: 'back_off' });
  });

  it('claims only same-origin /api/ requests', () => {
    expect(isApiRequest(new URL(`${ORIGIN}/api/v1/x`), ORIGIN)).to.equal(true);
    expect(isApiRequest(new URL(`${ORIGIN}/apiary`), ORIGIN)).to.equal(false);
    expect(isApiRequest(new URL('https://elsewhere.example/api/v1/x'), ORIGIN)).to.equal(false);
  });
});
