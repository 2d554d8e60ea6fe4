import type { OutboxEntry } from '../device/outbox-types.ts';

/*
 * Ops waiting for their person on a shared device: made by someone other than who is signed
 * in, not yet delivered. The target refuses an op under another's session, so the service
 * worker holds them until that person signs in here again (replayer.ts `heldOps`). Pure.
 */

/** One person's waiting ops. */
export interface HeldGroup {
  /** Who made them: a staff principal's actorId, the team member's id. */
  readonly actorId: string;
  readonly name: string;
  readonly count: number;
  /** Device ms the oldest was made. */
  readonly oldestAt: number;
  /** In FIFO order. */
  readonly opIds: readonly string[];
}

/** What the device's cache knows of the team: a staff actorId is the member's id. */
export interface NamedMember {
  readonly id: string;
  readonly name: string;
}

/** Said for an actor the team list does not name (left the venue, or not in the cache yet). */
export const UNKNOWN_NAME = 'another staff member';

/** actorId → name, from the team members in the local cache. */
export function namesOf(members: readonly NamedMember[]): (actorId: string) => string | undefined {
  const byId = new Map(members.map((member) => [member.id, member.name]));
  return (actorId) => byId.get(actorId);
}

const UNDELIVERED = new Set<OutboxEntry['status']>(['pending', 'sending', 'failed']);

/**
 * The undelivered ops made by someone other than `signedInActor`, one group per person, the
 * longest waiting first. With nobody signed in (null), every undelivered op waits for its person.
 */
export function heldGroups(
  entries: readonly OutboxEntry[],
  signedInActor: string | null,
  nameOf: (actorId: string) => string | undefined,
): HeldGroup[] {
  const byActor = new Map<string, OutboxEntry[]>();
  for (const entry of entries) {
    const actorId = entry.op.actorId;
    if (!UNDELIVERED.has(entry.status) || actorId === signedInActor) continue;
    byActor.set(actorId, [...(byActor.get(actorId) ?? []), entry]);
  }
  return [...byActor]
    .map(([actorId, held]) => {
      const ordered = [...held].sort((a, b) => a.seq - b.seq);
      return {
        actorId,
        name: nameOf(actorId) ?? UNKNOWN_NAME,
        count: ordered.length,
        oldestAt: Math.min(...ordered.map((entry) => entry.createdAt)),
        opIds: ordered.map((entry) => entry.opId),
      };
    })
    .sort((a, b) => a.oldestAt - b.oldestAt || a.actorId.localeCompare(b.actorId));
}

const changes = (count: number) => (count === 1 ? '1 change' : `${count} changes`);

/** "3 changes waiting for Sam — they send when Sam signs in here". */
export function heldLine(group: Pick<HeldGroup, 'count' | 'name'>): string {
  const they = group.count === 1 ? 'it sends' : 'they send';
  return `${changes(group.count)} waiting for ${group.name} — ${they} when ${group.name} signs in here`;
}

/** The confirm step's question: "Discard 3 changes for good?". */
export function discardQuestion(count: number): string {
  return `Discard ${changes(count)} for good?`;
}

/** Said once the discard is asked for. */
export function discardingLine(count: number, name: string): string {
  return `Discarding ${changes(count)} by ${name}`;
}
