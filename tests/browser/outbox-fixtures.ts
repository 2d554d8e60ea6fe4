import { deleteDB } from 'idb';
import {
  BatchRequest,
  makeOperation,
  newUlid,
  type Operation,
  type OperationType,
  type OpResult,
  type Principal,
} from '#protocol';
import { pickBatch } from '../../web/device/outbox-due.ts';
import { OutboxStore, type OutboxStoreOptions } from '../../web/device/outbox-store.ts';
import { laneOf, type OutboxEntry } from '../../web/device/outbox-types.ts';

// Shared by the outbox tests: ops to queue, a throwaway store, a fake clock and an in-page
// fake of the ops batch endpoint (a small in-memory adapter passed in as `fetch`).

export const TENANT = 'demo';
export const VENUE = 'demo-bistro';
export const DEVICE = 'tablet-1';
export const T0 = Date.UTC(2026, 10, 22, 18, 0, 0);

export interface OpOptions {
  readonly dependsOn?: readonly string[];
  readonly deviceId?: string;
  readonly venueId?: string;
  /** Who made it (default `server-1`, the staff member `STAFF` signs in as). */
  readonly actorId?: string;
}

export function op<T extends OperationType>(
  type: T,
  payload: unknown,
  options: OpOptions = {},
): Promise<Operation> {
  return makeOperation({
    type,
    payload,
    deviceId: options.deviceId ?? DEVICE,
    tenantId: TENANT,
    venueId: options.venueId ?? VENUE,
    actorId: options.actorId ?? 'server-1',
    dependsOn: options.dependsOn ?? [],
    occurredAt: new Date(T0).toISOString(),
  });
}

/** A staff member of the venue as the pages announce them to the worker (`session`). */
export function staff(actorId: string): Principal {
  return { kind: 'staff', tenantId: TENANT, venueId: VENUE, actorId, role: 'server' };
}

export const createOrder = (orderId: string, options?: OpOptions) =>
  op('order.create', { orderId, tableId: null }, options);
export const addLines = (orderId: string, options?: OpOptions) =>
  op(
    'order.addLines',
    { orderId, lines: [{ lineId: newUlid(), itemId: 'item-soup', quantity: 1 }] },
    options,
  );
export const sendToKitchen = (orderId: string, options?: OpOptions) =>
  op('order.sendToKitchen', { orderId }, options);
export const closeOrder = (orderId: string, options?: OpOptions) =>
  op('order.close', { orderId, payment: { method: 'cash', tendered: 5000 } }, options);
export const callWaiter = (tableId: string, options?: OpOptions) =>
  op('serviceRequest.create', { requestId: newUlid(), tableId, kind: 'call_waiter' }, options);

/** A store over a database of its own, deleted by `dispose`. */
export async function freshStore(
  options: Omit<OutboxStoreOptions, 'name'> = {},
): Promise<{ store: OutboxStore; name: string; dispose: () => Promise<void> }> {
  const name = `hearth-outbox-test-${crypto.randomUUID()}`;
  const store = await OutboxStore.open({ ...options, name });
  return {
    store,
    name,
    dispose: async () => {
      store.close();
      await deleteDB(name);
    },
  };
}

/**
 * The next batch a replay would send now (outbox-due.ts's order over the store's queue, after
 * the same sweep), as the replayer plans its first.
 */
export async function due(
  store: OutboxStore,
  now: number,
  limit: number,
  held?: (entry: OutboxEntry) => boolean,
): Promise<OutboxEntry[]> {
  return pickBatch(await store.queued(now), now, limit, held);
}

/**
 * Marks pending entries `sending`, as an earlier version of the replayer did before each POST
 * (and as a database written by it may still hold); returns them as stored.
 */
export function markSending(store: OutboxStore, seqs: readonly number[]): Promise<OutboxEntry[]> {
  return store.db.writeOps(async (ops) => {
    const entries = await Promise.all(seqs.map((seq) => ops.bySeq(seq)));
    const sending = entries
      .filter((entry) => entry?.status === 'pending')
      .map((entry) => ({ ...(entry as OutboxEntry), status: 'sending' as const }));
    for (const entry of sending) await ops.put(entry);
    return sending;
  });
}

/** An entry for `op` as `OutboxStore.add` leaves it (pending, never tried, queued at T0). */
export function entryFor(op: Operation, changes: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    seq: 1,
    opId: op.opId,
    op,
    lane: laneOf(op.type, op.payload),
    status: 'pending',
    tries: 0,
    nextAttemptAt: T0,
    lastError: null,
    result: null,
    createdAt: T0,
    settledAt: null,
    ...changes,
  };
}

/** What `work` rejects with (undefined when it resolves). */
export async function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
    return undefined;
  } catch (error) {
    return error;
  }
}

/** A clock the test moves by hand. */
export class FakeClock {
  t: number;
  constructor(start = T0) {
    this.t = start;
  }
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** What the fake server does with the next request. */
export type Behaviour =
  /** Decide every op (the default). */
  | { readonly kind: 'ok' }
  /** Answer the whole batch with this status (and Retry-After seconds, problem code). */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly retryAfter?: number;
      readonly code?: string;
    }
  /** Never answer: the network is down. */
  | { readonly kind: 'throw' }
  /** Decide and commit every op, then lose the answer. */
  | { readonly kind: 'commit-then-throw' }
  /** Wait for `release` before answering (to hold a replay mid-request). */
  | { readonly kind: 'hold'; readonly release: Promise<void> };

export interface Received {
  readonly deviceId: string;
  readonly venueId: string;
  readonly opIds: readonly string[];
  readonly at: number;
}

/**
 * An in-memory `POST /v1/venues/:venueId/ops/batch`: a journal of first results keyed by
 * opId (so a resent op gets `duplicate`), per-op decisions, and scripted failures.
 */
export class FakeOpsServer {
  readonly journal = new Map<string, Exclude<OpResult, { status: 'duplicate' | 'retryable' }>>();
  /** How many times each op took effect: exactly once is the point. */
  readonly effects = new Map<string, number>();
  readonly received: Received[] = [];
  readonly duplicates: string[] = [];
  private readonly script: Behaviour[] = [];
  private readonly clock: FakeClock;
  /** How an op not seen before is decided; applied unless a test says otherwise. */
  decide: (op: Operation) => OpResult = (o) => this.applied(o);
  /** Every request answers like this when the script is empty. */
  fallback: Behaviour = { kind: 'ok' };

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  /** Scripts the next requests, in order. */
  plan(...behaviours: Behaviour[]): this {
    this.script.push(...behaviours);
    return this;
  }

  applied(o: Operation): OpResult {
    return {
      opId: o.opId,
      status: 'applied',
      seq: this.journal.size + 1,
      changed: [],
      at: new Date(this.clock.now()).toISOString(),
    };
  }

  readonly fetch = async (request: Request): Promise<Response> => {
    const match = /^\/v1\/venues\/([^/]+)\/ops\/batch$/.exec(new URL(request.url).pathname);
    if (!match?.[1] || request.method !== 'POST') return new Response('no route', { status: 404 });
    const body = BatchRequest.parse(await request.json());
    this.received.push({
      deviceId: body.deviceId,
      venueId: match[1],
      opIds: body.ops.map((o) => o.opId),
      at: this.clock.now(),
    });
    const behaviour = this.script.shift() ?? this.fallback;
    switch (behaviour.kind) {
      case 'throw':
        throw new TypeError('Failed to fetch');
      case 'status':
        return Response.json(
          {
            type: 'about:blank',
            title: `HTTP ${behaviour.status}`,
            status: behaviour.status,
            kind: 'back_off',
            code: behaviour.code ?? `HTTP_${behaviour.status}`,
          },
          {
            status: behaviour.status,
            headers:
              behaviour.retryAfter === undefined
                ? {}
                : { 'retry-after': String(behaviour.retryAfter) },
          },
        );
      case 'commit-then-throw':
        this.decideAll(body.ops);
        throw new TypeError('connection reset after commit');
      case 'hold':
        await behaviour.release;
        return Response.json({ results: this.decideAll(body.ops) });
      case 'ok':
        return Response.json({ results: this.decideAll(body.ops) });
    }
  };

  /** In order, like the server: once one op cannot be decided, the rest are NOT_PROCESSED. */
  private decideAll(ops: readonly Operation[]): OpResult[] {
    let stopped = false;
    return ops.map((o): OpResult => {
      if (stopped) {
        return {
          opId: o.opId,
          status: 'retryable',
          code: 'NOT_PROCESSED',
          message: 'after',
          retryAfterMs: 1000,
        };
      }
      const first = this.journal.get(o.opId);
      if (first) {
        this.duplicates.push(o.opId);
        return { opId: o.opId, status: 'duplicate', first };
      }
      const result = this.decide(o);
      if (result.status === 'retryable') {
        stopped = true;
        return result;
      }
      if (result.status === 'duplicate') return result;
      this.journal.set(o.opId, result);
      if (result.status !== 'rejected')
        this.effects.set(o.opId, (this.effects.get(o.opId) ?? 0) + 1);
      return result;
    });
  }
}
