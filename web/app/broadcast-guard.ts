import type { EntityKind } from '#protocol';
import type { Broadcast, EntityIds } from '../device/messages.ts';

// The channel is a boundary (another tab, a worker of another build): its messages are checked
// here by hand rather than with zod, so a page that only listens does not load zod up front.

const CONNECTIVITY = new Set<string>([
  'connected_relay',
  'connected_cloud',
  'degraded',
  'offline',
  'replaying',
]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isTime = (value: unknown): value is number | null =>
  value === null || (typeof value === 'number' && Number.isFinite(value));

/** The broadcast in `data`, or undefined when it is not one this build understands. */
export function parseBroadcast(data: unknown): Broadcast | undefined {
  if (!isRecord(data)) return undefined;
  switch (data.type) {
    case 'outbox-changed':
      return { type: 'outbox-changed' };
    case 'signed-out':
      return { type: 'signed-out' };
    case 'device-revoked':
      return { type: 'device-revoked' };
    case 'replay-progress':
      return isCount(data.sent) && isCount(data.total)
        ? { type: 'replay-progress', sent: data.sent, total: data.total }
        : undefined;
    case 'entities-changed': {
      const kinds = data.kinds;
      // Kinds are not checked against the list: that would load the entity schemas (zod) here,
      // and a kind this build does not know is harmless (listeners filter for what they show).
      if (!Array.isArray(kinds) || !kinds.every((k) => typeof k === 'string')) return undefined;
      const ids = idsOf(data.ids);
      // Ids that do not read right are dropped: the kinds changed whole, as far as anyone knows.
      return ids
        ? { type: 'entities-changed', kinds: kinds as EntityKind[], ids }
        : { type: 'entities-changed', kinds: kinds as EntityKind[] };
    }
    case 'connectivity': {
      const { state, target, lastSyncAt } = data;
      if (typeof state !== 'string' || !CONNECTIVITY.has(state)) return undefined;
      if (target !== null && target !== 'relay' && target !== 'cloud') return undefined;
      if (!isTime(lastSyncAt)) return undefined;
      return {
        type: 'connectivity',
        state: state as Extract<Broadcast, { type: 'connectivity' }>['state'],
        target,
        lastSyncAt,
      };
    }
    default:
      return undefined;
  }
}

/** Entity ids by kind, each a list of strings; undefined for anything else. */
function idsOf(value: unknown): EntityIds | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const lists = Object.values(value);
  return lists.every((ids) => Array.isArray(ids) && ids.every((id) => typeof id === 'string'))
    ? (value as EntityIds)
    : undefined;
}
