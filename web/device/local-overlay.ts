import {
  decide,
  type EntityKind,
  type EntityOf,
  type EntitySet,
  getEntity,
  listEntities,
  type Operation,
  OpResult,
  type ParseOperationResult,
  type Principal,
  parseOperation,
} from '#protocol';

/*
 * What a screen shows, pure: the cached truth with this device's own unconfirmed ops decided on
 * top (the same `decide` the relay and the cloud run), and a badge per touched entity.
 *
 *   cache ──▶ for each outbox op, in order:
 *               failed                      → badge 'failed' (reason), not applied
 *               already in the cache        → nothing to add
 *               pending/sending             → decide on top, badge 'pending' (not sent yet)
 *               delivered_local             → decide on top, badge 'delivered_local' (saved in
 *                                             the venue relay, not confirmed by the cloud yet)
 *               synced, feed not there yet  → decide on top (no flicker back), no badge
 *
 * An entity touched by several ops shows the least settled: failed, then pending, then
 * delivered_local. `synced` means the cloud confirmed it (directly, or through the relay's
 * notice or a resend's answer): until then an op the relay holds is not called synced.
 */

/** An outbox entry as the local view needs it (`outbox-types.ts`'s `OutboxEntry` fits as is). */
export interface OutboxEntryLike {
  readonly seq: number;
  readonly opId: string;
  /** The operation (parsed here: the outbox is another store). */
  readonly op: unknown;
  readonly status: 'pending' | 'sending' | 'delivered_local' | 'synced' | 'failed';
  readonly lastError?: unknown;
  /** The server's OpResult, once there is one. */
  readonly result?: unknown;
}

export type ItemBadge =
  | { readonly state: 'synced' }
  /** Not sent yet (or in flight): only this device has it. */
  | { readonly state: 'pending'; readonly opIds: readonly string[] }
  /** Every unconfirmed op on it is saved in the venue relay, none confirmed by the cloud yet. */
  | { readonly state: 'delivered_local'; readonly opIds: readonly string[] }
  | { readonly state: 'failed'; readonly opId: string; readonly reason: string };

/** One outbox op, as the screen lists it ("3 pending", "failed: tap to retry or discard"). */
export interface OpView {
  readonly opId: string;
  readonly seq: number;
  readonly type: string;
  readonly status: OutboxEntryLike['status'];
  /** The entity the op is about (an order, a ticket…), when the op parses. */
  readonly target: { readonly kind: EntityKind; readonly id: string } | undefined;
  /** Why it failed (server rejection or last error), or why it would not apply here. */
  readonly reason: string | undefined;
  /** True when the op's effect is in what the screen shows (cached or optimistic). */
  readonly shown: boolean;
}

export interface LocalViewState {
  /** Cached entities with this device's unconfirmed ops applied. */
  readonly entities: EntitySet;
  /** Badges by `kind:id`; an entity without one is synced. */
  readonly badges: ReadonlyMap<string, ItemBadge>;
  readonly ops: readonly OpView[];
  /** Ops not sent yet (pending or in flight). */
  readonly pendingCount: number;
  /** Ops the venue relay holds that the cloud has not confirmed yet (delivered_local). */
  readonly savedLocalCount: number;
  readonly failed: readonly OpView[];
  readonly principal: Principal | undefined;
}

export interface OverlayInput {
  readonly cached: EntitySet;
  /** opIds of feed entries the cache holds (an op found here is already in the cache). */
  readonly cachedOpIds: ReadonlySet<string>;
  readonly principal: Principal | undefined;
  readonly outbox: readonly OutboxEntryLike[];
  /** ISO time the optimistic decisions are stamped with. */
  readonly now: string;
  /** Reads an entry's op; protocol's `parseOperation` unless the caller keeps its own (a memo). */
  readonly parse?: (entry: OutboxEntryLike) => ParseOperationResult;
}

const SYNCED: ItemBadge = { state: 'synced' };
const badgeKey = (kind: EntityKind, id: string): string => `${kind}:${id}`;

/** Builds the view: cache + own unconfirmed ops, with badges. Pure. */
export function overlay(input: OverlayInput): LocalViewState {
  let entities = input.cached;
  const badges = new Map<string, ItemBadge>();
  const ops: OpView[] = [];
  const { principal } = input;
  const ordered = [...input.outbox].sort((a, b) => a.seq - b.seq);

  for (const entry of ordered) {
    const parsed = input.parse ? input.parse(entry) : parseOperation(entry.op);
    const op = parsed.ok ? parsed.op : undefined;
    const target = op ? targetOf(op) : undefined;
    const result = settledResult(entry.result);
    const view = {
      opId: entry.opId,
      seq: entry.seq,
      type: op?.type ?? 'unknown',
      status: entry.status,
      target,
    };

    if (entry.status === 'failed') {
      const reason = failureReason(result, entry.lastError);
      for (const ref of refsOf(target, result)) {
        badges.set(badgeKey(ref.kind, ref.id), { state: 'failed', opId: entry.opId, reason });
      }
      ops.push({ ...view, reason, shown: false });
      continue;
    }
    const state = entry.status === 'delivered_local' ? 'delivered_local' : 'pending';
    const mark = (kind: EntityKind, id: string): void => {
      if (entry.status === 'synced') return;
      const key = badgeKey(kind, id);
      const held = badges.get(key);
      if (held?.state === 'failed') return;
      const opIds = held && held.state !== 'synced' ? held.opIds : [];
      // The least settled wins: pending over delivered_local.
      const next = held?.state === 'pending' ? 'pending' : state;
      if (held?.state === next && opIds.includes(entry.opId)) return;
      badges.set(key, {
        state: next,
        opIds: opIds.includes(entry.opId) ? opIds : [...opIds, entry.opId],
      });
    };
    for (const ref of refsOf(target, result)) mark(ref.kind, ref.id);

    if (!op) {
      ops.push({ ...view, reason: 'not a readable operation', shown: false });
      continue;
    }
    if (reflected(entry, result, input)) {
      ops.push({ ...view, reason: undefined, shown: true });
      continue;
    }
    if (!principal) {
      ops.push({ ...view, reason: 'no session to decide it with', shown: false });
      continue;
    }
    const decision = decide(
      { tenantId: principal.tenantId, venueId: principal.venueId, entities },
      op,
      { now: input.now, principal },
    );
    if (decision.kind === 'rejected') {
      ops.push({ ...view, reason: `${decision.code}: ${decision.message}`, shown: false });
      continue;
    }
    entities = decision.state.entities;
    for (const change of decision.changes) mark(change.entity, change.id);
    ops.push({ ...view, reason: undefined, shown: true });
  }

  const failed = ops.filter((op) => op.status === 'failed');
  const pendingCount = ops.filter(
    (op) => op.status === 'pending' || op.status === 'sending',
  ).length;
  const savedLocalCount = ops.filter((op) => op.status === 'delivered_local').length;
  return { entities, badges, ops, pendingCount, savedLocalCount, failed, principal };
}

/** The badge of one entity in a view. */
export function badgeOf(view: LocalViewState, kind: EntityKind, id: string): ItemBadge {
  return view.badges.get(badgeKey(kind, id)) ?? SYNCED;
}

/** One entity of the view, with its badge. */
export function itemOf<K extends EntityKind>(
  view: LocalViewState,
  kind: K,
  id: string,
): { readonly entity: EntityOf<K>; readonly badge: ItemBadge } | undefined {
  const entity = getEntity(view.entities, kind, id);
  return entity ? { entity, badge: badgeOf(view, kind, id) } : undefined;
}

/** Every entity of a kind in the view, in id order, each with its badge. */
export function itemsOf<K extends EntityKind>(
  view: LocalViewState,
  kind: K,
): { readonly entity: EntityOf<K>; readonly badge: ItemBadge }[] {
  return listEntities(view.entities, kind).map((entity) => ({
    entity,
    badge: badgeOf(view, kind, entity.id),
  }));
}

/** The entity an operation is about. */
export function targetOf(op: Operation): { kind: EntityKind; id: string } {
  switch (op.type) {
    case 'order.create':
    case 'order.addLines':
    case 'order.removeLine':
    case 'order.sendToKitchen':
    case 'order.close':
    case 'order.void':
    case 'order.voidLine':
    case 'order.fireCourse':
      return { kind: 'order', id: op.payload.orderId };
    case 'ticket.transition':
    case 'ticket.assign':
    case 'ticket.markLine':
    case 'ticket.recall':
    case 'ticket.acknowledge':
      return { kind: 'ticket', id: op.payload.ticketId };
    case 'serviceRequest.create':
    case 'serviceRequest.transition':
      return { kind: 'serviceRequest', id: op.payload.requestId };
    case 'booking.create':
    case 'booking.transition':
      return { kind: 'booking', id: op.payload.bookingId };
    case 'team.section.create':
      return { kind: 'teamSection', id: op.payload.sectionId };
    case 'team.member.upsert':
      return { kind: 'teamMember', id: op.payload.memberId };
    case 'menu.item.setAvailability':
      return { kind: 'menuItem', id: op.payload.itemId };
    case 'device.pair':
    case 'device.revoke':
      return { kind: 'device', id: op.payload.deviceId };
    case 'payment.cash':
    case 'payment.card':
    case 'payment.settle':
    case 'payment.resolveTask':
      return { kind: 'payment', id: op.payload.paymentId };
    case 'refund.request':
    case 'refund.settle':
      return { kind: 'refund', id: op.payload.refundId };
    case 'drawer.open':
    case 'drawer.payout':
    case 'drawer.close':
      return { kind: 'drawer', id: op.payload.drawerId };
    case 'settings.offlineCard.set':
      return { kind: 'settings', id: op.tenantId };
  }
}

type Settled = Exclude<OpResult, { status: 'duplicate' }>;

/** The server's decision, if the entry has a parseable one (a duplicate's first answer counts). */
function settledResult(value: unknown): Settled | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = OpResult.safeParse(value);
  if (!parsed.success) return undefined;
  return parsed.data.status === 'duplicate' ? parsed.data.first : parsed.data;
}

function refsOf(
  target: { kind: EntityKind; id: string } | undefined,
  result: Settled | undefined,
): { kind: EntityKind; id: string }[] {
  const refs = target ? [target] : [];
  if (result && (result.status === 'applied' || result.status === 'accepted_local')) {
    for (const ref of result.changed) {
      if (!refs.some((r) => r.kind === ref.entity && r.id === ref.id)) {
        refs.push({ kind: ref.entity, id: ref.id });
      }
    }
  }
  return refs;
}

/**
 * True when the cache already holds the op's effect, so deciding it again would apply it twice
 * (an `order.addLines` would double its lines). Known with a result: every entity it changed is
 * cached at that version or newer. Without one: a cached entity's last feed entry names the op.
 */
function reflected(
  entry: OutboxEntryLike,
  result: Settled | undefined,
  input: OverlayInput,
): boolean {
  if (input.cachedOpIds.has(entry.opId)) return true;
  if (result && (result.status === 'applied' || result.status === 'accepted_local')) {
    return result.changed.every((ref) => {
      const held = getEntity(input.cached, ref.entity, ref.id);
      return held !== undefined && held.version >= ref.version;
    });
  }
  // Synced with no readable result: trust the cache rather than risk applying it twice.
  return entry.status === 'synced';
}

function failureReason(result: Settled | undefined, lastError: unknown): string {
  if (result?.status === 'rejected') return `${result.code}: ${result.message}`;
  if (typeof lastError === 'string' && lastError.length > 0) return lastError;
  if (typeof lastError === 'object' && lastError !== null) {
    const { code, message } = lastError as Record<string, unknown>;
    // The outbox's own shape: { code, message }.
    if (typeof code === 'string' && typeof message === 'string') return `${code}: ${message}`;
    for (const field of ['detail', 'message', 'title', 'code'] as const) {
      const value = (lastError as Record<string, unknown>)[field];
      if (typeof value === 'string' && value.length > 0) return value;
    }
  }
  return 'the server did not accept this change';
}
