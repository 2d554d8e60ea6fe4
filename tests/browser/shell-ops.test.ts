import { expect } from '@esm-bundle/chai';
import { hasValidPayloadHash, isUlid, Operation, type Principal } from '#protocol';
import { broadcastChannelSource } from '../../web/app/broadcast-source.ts';
import { OpController } from '../../web/app/op-controller.ts';
import { verdictOf } from '../../web/app/op-response.ts';
import type { OpState, OpStatus } from '../../web/app/outbox-reader.ts';
import { SessionController } from '../../web/app/session-controller.ts';
import { SessionStore } from '../../web/app/session-store.ts';
import type { ToServiceWorker } from '../../web/device/messages.ts';
import { waitFor } from '../support/wait-for.ts';
import { FakeHost } from './controller-host.ts';

// Writes from a screen: protocol ops made with the device's id, POSTed through the service
// worker, their status from the answer and then from the outbox; and sign-in, which keeps the
// principal and never the token.

const GUEST: Principal = {
  kind: 'guest',
  tenantId: 'demo',
  venueId: 'demo-bistro',
  sessionId: 'session-1',
  tableId: 'table-4',
};

interface Sent {
  url: string;
  init: RequestInit | undefined;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('verdictOf (the answer to POST …/ops)', () => {
  const rows: [number | 'no-answer', unknown, boolean, OpStatus][] = [
    [201, { status: 'applied' }, true, 'synced'],
    [202, { status: 'accepted_local' }, false, 'delivered_local'],
    [202, { op: {}, status: 'delivered_local' }, true, 'delivered_local'],
    [202, { op: {}, status: 'pending' }, true, 'pending'],
    [202, { op: {}, status: 'synced' }, true, 'synced'],
    [202, { op: {}, status: 'failed' }, true, 'failed'],
    [422, { title: 'Operation rejected', detail: 'order is closed' }, true, 'failed'],
    [403, { title: 'Forbidden' }, true, 'failed'],
    [409, {}, true, 'pending'],
    [503, {}, true, 'pending'],
    [503, {}, false, 'failed'],
    [429, {}, false, 'failed'],
    ['no-answer', undefined, true, 'pending'],
    ['no-answer', undefined, false, 'failed'],
  ];
  for (const [status, body, queued, expected] of rows) {
    it(`${status} ${queued ? 'through the worker' : 'direct'} → ${expected}`, () => {
      expect(verdictOf(status, body, queued).status).to.equal(expected);
    });
  }

  it('shows the rejection’s detail', () => {
    expect(
      verdictOf(422, { title: 'Operation rejected', detail: 'order is closed' }, true),
    ).to.deep.equal({
      status: 'failed',
      detail: 'order is closed',
      final: true,
    });
  });

  it('carries the rejection’s code, so a screen can say what to do about it', () => {
    expect(
      verdictOf(
        422,
        { title: 'Operation rejected', code: 'ITEM_UNAVAILABLE', detail: 'Chips is sold out' },
        true,
      ),
    ).to.deep.equal({
      status: 'failed',
      detail: 'Chips is sold out',
      final: true,
      code: 'ITEM_UNAVAILABLE',
    });
  });
});

function opSetup(options: { controlled: boolean }) {
  const name = `hearth-test-${crypto.randomUUID()}`;
  const sender = new BroadcastChannel(name);
  const host = new FakeHost();
  const session = new SessionStore();
  const requests: Sent[] = [];
  const posted: ToServiceWorker[] = [];
  const outboxStatus = new Map<string, OpState>();
  let answer: () => Promise<Response> = async () => json(202, { op: {}, status: 'pending' });
  const ops = new OpController(host, {
    session,
    device: {
      deviceId: async () => 'device-1',
      cursor: async () => null,
      lastSyncAt: async () => null,
    },
    broadcasts: broadcastChannelSource(name),
    outbox: {
      summary: async () => undefined,
      stateOf: async (opId) => outboxStatus.get(opId),
    },
    serviceWorker: {
      controlled: () => options.controlled,
      post: (message) => {
        posted.push(message);
        return options.controlled;
      },
    },
    fetch: async (input, init) => {
      requests.push({ url: String(input), init });
      return answer();
    },
  });
  host.connect();
  return {
    ops,
    session,
    requests,
    posted,
    outboxStatus,
    answerWith: (next: () => Promise<Response>) => {
      answer = next;
    },
    broadcast(message: unknown) {
      sender.postMessage(message);
    },
    close() {
      host.disconnect();
      sender.close();
    },
  };
}

describe('OpController', () => {
  let t: ReturnType<typeof opSetup>;
  afterEach(() => t?.close());

  const callWaiter = (ops: OpController) =>
    ops.submit('Call a waiter', 'serviceRequest.create', (newId) => ({
      requestId: newId(),
      tableId: 'table-4',
      kind: 'call_waiter',
    }));

  it('makes a valid op with the device id and the guest’s session as actor', async () => {
    t = opSetup({ controlled: true });
    t.session.set(GUEST);
    await callWaiter(t.ops);
    expect(t.requests).to.have.length(1);
    const [sent] = t.requests;
    expect(sent?.url).to.equal('/api/v1/venues/demo-bistro/ops');
    const op = Operation.parse(JSON.parse(String(sent?.init?.body)));
    expect(op).to.deep.include({
      type: 'serviceRequest.create',
      deviceId: 'device-1',
      tenantId: 'demo',
      venueId: 'demo-bistro',
      actorId: 'session-1',
    });
    expect(isUlid(op.opId)).to.equal(true);
    expect(await hasValidPayloadHash(op)).to.equal(true);
    expect(new Headers(sent?.init?.headers).get('Idempotency-Key')).to.equal(op.opId);
  });

  it('once prepared, POSTs in the caller’s own task: a tap’s op does not wait for a frame', async () => {
    t = opSetup({ controlled: true });
    t.session.set(GUEST);
    await callWaiter(t.ops); // the first op loads what making one takes
    const second = callWaiter(t.ops);
    // No await yet: the POST has already been made.
    expect(t.requests).to.have.length(2);
    await second;
  });

  it('is pending once the worker queued it, synced when the outbox says so', async () => {
    t = opSetup({ controlled: true });
    t.session.set(GUEST);
    const tracked = await callWaiter(t.ops);
    expect(tracked?.status).to.equal('pending');
    t.outboxStatus.set(tracked?.opId ?? '', { status: 'synced' });
    t.broadcast({ type: 'outbox-changed' });
    await waitFor('the op shown synced', () => t.ops.ops[0]?.status === 'synced');
    expect(t.ops.ops[0]).to.include({ opId: tracked?.opId, status: 'synced' });
  });

  it('shows a rejection as failed; discard drops it here and in the outbox', async () => {
    t = opSetup({ controlled: true });
    t.session.set(GUEST);
    t.answerWith(async () => json(422, { title: 'Operation rejected', detail: 'table is closed' }));
    const tracked = await callWaiter(t.ops);
    expect(tracked).to.include({ status: 'failed', detail: 'table is closed' });
    t.ops.discard(tracked?.opId ?? '');
    expect(t.ops.ops).to.deep.equal([]);
    expect(t.posted).to.deep.equal([{ type: 'discard', opId: tracked?.opId }]);
  });

  it('without a worker, a failed send is retried by hand with the same opId', async () => {
    t = opSetup({ controlled: false });
    t.session.set(GUEST);
    t.answerWith(async () => {
      throw new TypeError('Failed to fetch');
    });
    const tracked = await callWaiter(t.ops);
    expect(tracked?.status).to.equal('failed');
    expect(t.requests[0]?.url).to.equal('/v1/venues/demo-bistro/ops');

    t.answerWith(async () => json(201, { opId: tracked?.opId, status: 'applied' }));
    await t.ops.retry(tracked?.opId ?? '');
    expect(t.ops.ops[0]).to.include({ status: 'synced' });
    const bodies = t.requests.map((r) => JSON.parse(String(r.init?.body)) as { opId: string });
    expect(bodies.map((b) => b.opId)).to.deep.equal([tracked?.opId, tracked?.opId]);
  });

  it('is saved in the venue while the relay holds it, synced once the outbox has the cloud’s word', async () => {
    t = opSetup({ controlled: true });
    t.session.set(GUEST);
    const tracked = await callWaiter(t.ops);
    const opId = tracked?.opId ?? '';
    t.outboxStatus.set(opId, { status: 'delivered_local' });
    t.broadcast({ type: 'outbox-changed' });
    await waitFor(
      'the op shown kept by the relay',
      () => t.ops.ops[0]?.status === 'delivered_local',
    );
    // Not settled: it is read again on the next word, and follows the cloud's confirmation.
    t.outboxStatus.set(opId, { status: 'synced' });
    t.broadcast({ type: 'outbox-changed' });
    await waitFor('the op shown synced', () => t.ops.ops[0]?.status === 'synced');
  });

  it('shows the reason when the cloud rejects an op the relay had kept', async () => {
    t = opSetup({ controlled: true });
    t.session.set(GUEST);
    const tracked = await callWaiter(t.ops);
    const opId = tracked?.opId ?? '';
    t.outboxStatus.set(opId, { status: 'delivered_local' });
    t.broadcast({ type: 'outbox-changed' });
    await waitFor(
      'the op shown kept by the relay',
      () => t.ops.ops[0]?.status === 'delivered_local',
    );
    t.outboxStatus.set(opId, { status: 'failed', detail: 'table is closed', final: true });
    t.broadcast({ type: 'outbox-changed' });
    await waitFor('the op shown failed', () => t.ops.ops[0]?.status === 'failed');
    expect(t.ops.ops[0]).to.include({ detail: 'table is closed', final: true });
  });

  it('after Retry, an op that fails again shows failed with its new reason, not pending', async () => {
    t = opSetup({ controlled: true });
    t.session.set(GUEST);
    const tracked = await callWaiter(t.ops);
    const opId = tracked?.opId ?? '';
    t.outboxStatus.set(opId, { status: 'failed', detail: 'gave up after 10 tries' });
    t.broadcast({ type: 'outbox-changed' });
    await waitFor('the op shown failed', () => t.ops.ops[0]?.status === 'failed');

    await t.ops.retry(opId);
    expect(t.posted).to.deep.equal([{ type: 'retry', opId }]);
    expect(t.ops.ops[0]?.status).to.equal('pending');
    expect(t.ops.ops[0]?.detail).to.equal(undefined);
    // The worker put it back and sent it; it failed again. Its word brings the page along.
    t.outboxStatus.set(opId, { status: 'failed', detail: 'order is closed', final: true });
    t.broadcast({ type: 'outbox-changed' });
    await waitFor('the op shown failed', () => t.ops.ops[0]?.status === 'failed');
    expect(t.ops.ops[0]).to.include({ detail: 'order is closed', final: true });
  });

  it('after Retry the worker refused (the outbox still holds it failed), shows failed again', async () => {
    t = opSetup({ controlled: true });
    t.session.set(GUEST);
    const tracked = await callWaiter(t.ops);
    const opId = tracked?.opId ?? '';
    t.outboxStatus.set(opId, { status: 'failed', detail: 'not delivered' });
    t.broadcast({ type: 'outbox-changed' });
    await waitFor('the op shown failed', () => t.ops.ops[0]?.status === 'failed');
    await t.ops.retry(opId);
    expect(t.ops.ops[0]?.status).to.equal('pending');
    // The worker says outbox-changed even when it refuses the retry.
    t.broadcast({ type: 'outbox-changed' });
    await waitFor('the op shown failed', () => t.ops.ops[0]?.status === 'failed');
    expect(t.ops.ops[0]?.detail).to.equal('not delivered');
  });

  it('does not send again a failure the outbox knows is final: failed, with its reason', async () => {
    t = opSetup({ controlled: true });
    t.session.set(GUEST);
    const tracked = await callWaiter(t.ops);
    const opId = tracked?.opId ?? '';
    t.outboxStatus.set(opId, { status: 'failed', detail: 'table is closed', final: true });
    await t.ops.retry(opId);
    expect(t.posted).to.deep.equal([]);
    expect(t.ops.ops[0]).to.include({ status: 'failed', detail: 'table is closed', final: true });
  });

  it('sends again itself an op the outbox never queued (refused before it was stored)', async () => {
    t = opSetup({ controlled: true });
    t.session.set(GUEST);
    t.answerWith(async () => json(503, {}));
    const tracked = await callWaiter(t.ops);
    expect(tracked?.status).to.equal('pending');
    t.answerWith(async () => json(400, { title: 'Bad request', detail: 'bad payload' }));
    const again = await callWaiter(t.ops);
    expect(again).to.include({ status: 'failed', detail: 'bad payload', final: true });
    t.answerWith(async () => json(202, { op: {}, status: 'pending' }));
    await t.ops.retry(again?.opId ?? '');
    expect(t.posted).to.deep.equal([]);
    expect(t.ops.ops[0]).to.include({ opId: again?.opId, status: 'pending' });
    expect(t.ops.ops[0]?.detail).to.equal(undefined);
  });

  it('refuses to make an op before sign-in', async () => {
    t = opSetup({ controlled: true });
    expect(await callWaiter(t.ops)).to.equal(undefined);
    expect(t.ops.error).to.equal('Sign in first');
    expect(t.requests).to.deep.equal([]);
  });
});

describe('SessionController', () => {
  it('keeps the principal, drops the token, and tells the worker', async () => {
    const host = new FakeHost();
    const session = new SessionStore();
    const saved: (Principal | null)[] = [];
    const posted: ToServiceWorker[] = [];
    const requests: Sent[] = [];
    const controller = new SessionController(host, {
      venueId: 'demo-bistro',
      session,
      persistence: {
        load: async () => undefined,
        save: async (principal) => {
          saved.push(principal);
        },
      },
      device: {
        deviceId: async () => 'device-1',
        cursor: async () => null,
        lastSyncAt: async () => null,
      },
      serviceWorker: {
        controlled: () => true,
        post: (message) => {
          posted.push(message);
          return true;
        },
      },
      fetch: async (input, init) => {
        requests.push({ url: String(input), init });
        return json(200, {
          token: 'SECRET.TOKEN.VALUE',
          expiresAt: '2026-11-23T16:00:00Z',
          principal: GUEST,
        });
      },
    });
    host.connect();
    await controller.signIn({ kind: 'guest', table: '4' });

    expect(requests[0]?.url).to.equal('/api/v1/auth/guest');
    expect(JSON.parse(String(requests[0]?.init?.body))).to.deep.equal({
      venueId: 'demo-bistro',
      table: '4',
    });
    expect(controller.status).to.deep.equal({ status: 'complete', value: GUEST });
    expect(session.principal).to.deep.equal(GUEST);
    expect(saved).to.deep.equal([GUEST]);
    expect(posted).to.deep.equal([{ type: 'session', principal: GUEST, deviceId: 'device-1' }]);
    expect(JSON.stringify({ saved, posted, status: controller.status })).to.not.contain('SECRET');
    host.disconnect();
  });

  it('shows the origin’s refusal', async () => {
    const host = new FakeHost();
    const controller = new SessionController(host, {
      venueId: 'demo-bistro',
      session: new SessionStore(),
      device: {
        deviceId: async () => 'device-1',
        cursor: async () => null,
        lastSyncAt: async () => null,
      },
      serviceWorker: { controlled: () => false, post: () => false },
      fetch: async () =>
        json(401, { title: 'Wrong PIN', detail: 'check the PIN and try again', status: 401 }),
    });
    await controller.signIn({ kind: 'staff', pin: '9999' });
    expect(controller.status).to.deep.equal({
      status: 'error',
      message: 'Wrong PIN: check the PIN and try again',
    });
  });
});
