import type { OutboxEntry } from '../../web/device/outbox-types.ts';
import type { ResilienceReportView } from '../../web/floor/resilience-view-state.ts';

// A venue's sync report and a device's outbox entries as the manager's views get them: one relay
// offline from the cloud since 19:40, three staff devices (one silent), and an evening of samples
// with a replay after the link came back. Shared by the unit and the browser tests.

export const T0 = Date.parse('2026-11-23T20:00:00.000Z');
export const MIN = 60_000;
export const iso = (ms: number): string => new Date(ms).toISOString();

/** "19:40" in UTC: the tests' clock text, the same on every machine. */
export const utcClock = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

const NODE = '01JD0000000000000000000001';
const NODE_2 = '01JD0000000000000000000002';

/** The minute samples of the last hour: a queue that peaks at 42 at 19:48, replays, drains by 19:53. */
export function eveningSamples(): NonNullable<ResilienceReportView['samples']> {
  const depth = (m: number) =>
    m < 40 ? 0 : m <= 48 ? (m - 40) * 5 + 2 : m < 53 ? 42 - (m - 48) * 10 : 0;
  return Array.from({ length: 60 }, (_, i) => {
    const at = T0 - 60 * MIN + i * MIN; // 19:00 … 19:59
    const m = i;
    return {
      at: iso(at),
      outboxDepth: Math.max(0, depth(m)),
      journalDepth: m >= 40 && m < 50 ? 12 : 0,
      replaying: m >= 49 && m <= 52,
    };
  });
}

export function eveningReport(over: Partial<ResilienceReportView> = {}): ResilienceReportView {
  return {
    venueId: '01JD00000000000000000000VE',
    journalHead: 1234,
    at: iso(T0 - 10_000),
    nodes: [
      {
        nodeId: NODE,
        name: 'Back office',
        status: 'active',
        ackedSeq: 1220,
        lag: 14,
        lastSeenAt: iso(T0 - 20_000),
        heartbeat: {
          version: '1.0.0',
          connectivity: 'offline_local',
          journalDepth: 12,
          oldestUnsyncedAt: iso(T0 - 18 * MIN),
          connectedDevices: 3,
          transitions: [],
          devices: [],
        },
      },
      {
        nodeId: NODE_2,
        name: 'Terrace',
        status: 'active',
        ackedSeq: 1000,
        lag: 234,
        lastSeenAt: iso(T0 - 30 * MIN),
        heartbeat: null,
      },
    ],
    devices: [
      {
        deviceId: 'dev-bar-tablet-0001',
        seq: 1220,
        lag: 0,
        outboxDepth: 0,
        oldestPendingAt: null,
        failedOps: 0,
        updatedAt: iso(T0 - 30_000),
        via: NODE,
      },
      {
        deviceId: 'dev-floor-phone-0002',
        seq: 1200,
        lag: 20,
        outboxDepth: 5,
        oldestPendingAt: iso(T0 - 12 * MIN),
        failedOps: 2,
        updatedAt: iso(T0 - 45_000),
        via: NODE,
      },
      {
        deviceId: 'dev-terrace-0003',
        seq: 900,
        lag: 334,
        outboxDepth: 1,
        oldestPendingAt: iso(T0 - 40 * MIN),
        failedOps: 0,
        updatedAt: iso(T0 - 40 * MIN),
        via: null,
      },
    ],
    connectivity: {
      state: 'offline_local',
      since: iso(T0 - 20 * MIN),
      history: [
        { state: 'online', at: iso(T0 - 3 * 60 * MIN) },
        { state: 'degraded', at: iso(T0 - 25 * MIN) },
        { state: 'offline_local', at: iso(T0 - 20 * MIN) },
      ],
    },
    samples: eveningSamples(),
    ...over,
  };
}

export const ACTOR = '01JD00000000000000000000AC';
export const TABLE_5 = '01JD00000000000000000000T5';
export const ORDER = '01JD00000000000000000000OR';
export const CHIPS = '01JD00000000000000000000CH';

let seq = 0;
const opId = (n: number) => `01JD0000000000000000000${String(n).padStart(3, '0')}`;

/** An outbox entry for `type` and `payload`, failed (or not) with `result` / `lastError`. */
export function entry(
  type: OutboxEntry['op']['type'],
  payload: Record<string, unknown>,
  over: Partial<Omit<OutboxEntry, 'op'>> = {},
): OutboxEntry {
  seq += 1;
  const id = opId(seq);
  return {
    seq,
    opId: id,
    op: {
      opId: id,
      type,
      payload,
      deviceId: 'dev-floor-phone-0002',
      tenantId: '01JD00000000000000000000TE',
      venueId: '01JD00000000000000000000VE',
      actorId: ACTOR,
      clientTime: iso(T0 - 15 * MIN),
      dependsOn: [],
    } as unknown as OutboxEntry['op'],
    lane: 'default',
    status: 'failed',
    tries: 1,
    nextAttemptAt: 0,
    lastError: null,
    result: null,
    createdAt: T0 - 15 * MIN,
    settledAt: T0 - 14 * MIN,
    ...over,
  };
}

export const rejected = (id: string, code: string, message = '') =>
  ({ opId: id, status: 'rejected', code, message }) as unknown as OutboxEntry['result'];
