import { describe, expect, it } from 'vitest';
import { newUlid } from '#protocol';
import { DEMO } from '../seed/demo-seed.ts';
import { demoOp, postBatch, postOp } from '../testing/ops.ts';
import { makeTestApp, type TestApp } from '../testing/test-app.ts';

const URL = `/v1/venues/${DEMO.venueId}/ops`;

/** Sends a request and asserts the answer is the problem named, and that the feed did not move. */
async function expectProblem(
  t: TestApp,
  path: string,
  init: RequestInit,
  status: number,
  code: string,
  kind: string,
) {
  const head = await t.store.head(DEMO.venueId);
  const res = await t.app.request(path, init);
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(await res.json()).toMatchObject({ status, code, kind });
  expect(await t.store.head(DEMO.venueId)).toBe(head);
  return res;
}

const json = (body: string, headers: Record<string, string>, key?: string): RequestInit => ({
  method: 'POST',
  headers: {
    'Content-Type': 'application/json',
    ...(key ? { 'Idempotency-Key': key } : {}),
    ...headers,
  },
  body,
});

describe('bad input to the write lanes changes nothing', () => {
  it('malformed JSON', async () => {
    const t = await makeTestApp();
    await expectProblem(
      t,
      URL,
      json('{"opId": ', t.as.manager, newUlid()),
      400,
      'MALFORMED_JSON',
      'fix_request',
    );
    await expectProblem(
      t,
      `${URL}/batch`,
      json('[1,', t.as.manager),
      400,
      'MALFORMED_JSON',
      'fix_request',
    );
  });

  it('JSON sent as another type → 415, so the schema always sees the body', async () => {
    const t = await makeTestApp();
    const op = await demoOp('order.sendToKitchen', { orderId: newUlid() });
    const plain = {
      ...postOp(op, t.as.manager),
      headers: { ...t.as.manager, 'Content-Type': 'text/plain', 'Idempotency-Key': op.opId },
    };
    await expectProblem(t, URL, plain, 415, 'UNSUPPORTED_MEDIA_TYPE', 'fix_request');
    // Text that is not JSON is named as such whatever its type.
    await expectProblem(
      t,
      URL,
      { ...plain, body: '{"opId": ' },
      400,
      'MALFORMED_JSON',
      'fix_request',
    );
  });

  it('an unknown op type, and a wrong payload, named field by field', async () => {
    const t = await makeTestApp();
    const op = await demoOp('order.sendToKitchen', { orderId: newUlid() });
    await expectProblem(
      t,
      URL,
      postOp({ ...op, type: 'order.teleport' } as never, t.as.manager),
      400,
      'UNKNOWN_OP_TYPE',
      'fix_request',
    );
    await expectProblem(
      t,
      URL,
      postOp({ ...op, payload: { orderId: 42 } } as never, t.as.manager),
      400,
      'VALIDATION',
      'fix_request',
    );
    const withIssues = await t.app.request(
      URL,
      postOp({ ...op, payload: { orderId: 42 } } as never, t.as.manager),
    );
    expect(await withIssues.json()).toMatchObject({ issues: [{ path: 'payload.orderId' }] });
  });

  it('a payload that does not match its hash', async () => {
    const t = await makeTestApp();
    const op = await demoOp('order.sendToKitchen', { orderId: newUlid() });
    const tampered = { ...op, payload: { orderId: newUlid() } };
    await expectProblem(
      t,
      URL,
      postOp(tampered as never, t.as.manager),
      400,
      'PAYLOAD_HASH_MISMATCH',
      'fix_request',
    );
  });

  it('an oversized body → 413', async () => {
    const t = await makeTestApp({ limits: { maxBodyBytes: 4096 } });
    const big = JSON.stringify({ padding: 'x'.repeat(10_000) });
    await expectProblem(
      t,
      URL,
      json(big, t.as.manager, newUlid()),
      413,
      'BODY_TOO_LARGE',
      'fix_request',
    );
  });

  it('a huge batch → 413, and a batch mixing devices → 400', async () => {
    const t = await makeTestApp();
    const op = await demoOp('order.sendToKitchen', { orderId: newUlid() });
    await expectProblem(
      t,
      `${URL}/batch`,
      postBatch(
        'tablet-1',
        Array.from({ length: 101 }, () => op),
        t.as.manager,
      ),
      413,
      'BATCH_TOO_LARGE',
      'fix_request',
    );
    const other = await demoOp(
      'order.sendToKitchen',
      { orderId: newUlid() },
      { deviceId: 'tablet-2' },
    );
    await expectProblem(
      t,
      `${URL}/batch`,
      postBatch('tablet-1', [op, other], t.as.manager),
      400,
      'DEVICE_MISMATCH',
      'fix_request',
    );
  });

  it('no credentials → 401; another venue → 403; a relay without an actor token → 403', async () => {
    const t = await makeTestApp();
    const op = await demoOp('order.sendToKitchen', { orderId: newUlid() });
    await expectProblem(t, URL, postOp(op, {}), 401, 'AUTH_REQUIRED', 'sign_in');
    await expectProblem(
      t,
      URL,
      postOp(op, { Authorization: 'Bearer forged' }),
      401,
      'TOKEN_INVALID',
      'sign_in',
    );
    await expectProblem(
      t,
      '/v1/venues/other-venue/ops',
      postOp(op, t.as.manager),
      403,
      'FORBIDDEN',
      'stop',
    );
    const relay = {
      Authorization: `Bearer ${t.auth.relay('node-1', DEMO.tenantId, DEMO.venueId)}`,
    };
    await expectProblem(t, URL, postOp(op, relay), 403, 'ACTOR_TOKEN_REQUIRED', 'stop');
  });

  it('too many ops from one device → 429 with Retry-After, and it recovers with time', async () => {
    const t = await makeTestApp({ limits: { callerOpsPerSecond: 1, callerBurst: 2 } });
    for (let i = 0; i < 2; i++) {
      const res = await t.app.request(
        URL,
        postOp(await demoOp('order.sendToKitchen', { orderId: newUlid() }), t.as.manager),
      );
      expect(res.status).toBe(422);
    }
    const res = await expectProblem(
      t,
      URL,
      postOp(await demoOp('order.sendToKitchen', { orderId: newUlid() }), t.as.manager),
      429,
      'RATE_LIMITED',
      'back_off',
    );
    expect(res.headers.get('retry-after')).toBe('1');
    t.clock.advance(1000);
    const later = await t.app.request(
      URL,
      postOp(await demoOp('order.sendToKitchen', { orderId: newUlid() }), t.as.manager),
    );
    expect(later.status).toBe(422);
  });

  it('limits the caller the token names: a new deviceId per request does not start a new bucket', async () => {
    const t = await makeTestApp({ limits: { callerOpsPerSecond: 1, callerBurst: 2 } });
    const fromDevice = async (deviceId: string, as: Record<string, string>) =>
      t.app.request(
        URL,
        postOp(await demoOp('order.sendToKitchen', { orderId: newUlid() }, { deviceId }), as),
      );
    expect((await fromDevice('tablet-a', t.as.manager)).status).toBe(422);
    expect((await fromDevice('tablet-b', t.as.manager)).status).toBe(422);
    await expectProblem(
      t,
      URL,
      postOp(
        await demoOp('order.sendToKitchen', { orderId: newUlid() }, { deviceId: 'tablet-c' }),
        t.as.manager,
      ),
      429,
      'RATE_LIMITED',
      'back_off',
    );
    // Another person has a bucket of their own.
    const server = await fromDevice('tablet-c', t.as.server);
    expect(server.status).not.toBe(429);
  });

  it('looks up an op by id for staff, 404 for one never received', async () => {
    const t = await makeTestApp();
    const op = await demoOp('order.create', { orderId: newUlid(), tableId: 'table-1' });
    await t.app.request(URL, postOp(op, t.as.manager));
    const found = await t.app.request(`${URL}/${op.opId}`, { headers: t.as.server });
    expect(await found.json()).toMatchObject({ opId: op.opId, status: 'applied' });
    await expectProblem(
      t,
      `${URL}/${newUlid()}`,
      { headers: t.as.server },
      404,
      'OP_NOT_FOUND',
      'stop',
    );
    await expectProblem(t, `${URL}/${op.opId}`, { headers: t.as.guest }, 403, 'FORBIDDEN', 'stop');
  });
});
