import {
  type AnyEntity,
  canonicalJson,
  type DependencyStatus,
  decide,
  ENTITY_KINDS,
  type EntityChange,
  type EntityKind,
  type EntitySet,
  getEntity,
  type JsonValue,
  judgeLocally,
  listEntities,
  type Operation,
  type Principal,
  type Projectable,
  project,
  type RejectedResult,
} from '#protocol';

/*
 * The relay's picture of its venue, as three layers:
 *
 *   confirmed  ── the cloud's truth, projected from the cloud feed (cloud versions)
 *   pending    ── ops the relay accepted locally and the cloud has not settled, in journal order
 *   visible    ── what LAN devices see: confirmed with pending re-decided on top (relay versions)
 *
 * Devices never see a version of the cloud's: every change to `visible` is emitted with the
 * entity's next relay version, so a correction (a pending op the cloud rejected) is just one
 * more, newer upsert or tombstone. Pure: the shell journals, commits and fans out.
 */

/** An op the relay accepted and still has to hear the cloud's verdict on. */
export interface PendingOp {
  readonly op: Operation;
  readonly principal: Principal;
  /** Relay time it was accepted: the `now` it is (re-)decided with, so stamps stay stable. */
  readonly receivedAt: string;
}

export interface VenueModel {
  readonly tenantId: string;
  readonly venueId: string;
  readonly confirmed: EntitySet;
  readonly pending: readonly PendingOp[];
  readonly visible: EntitySet;
  /** Entities the pending ops change: where a rebase may differ from the confirmed state. */
  readonly touched: ReadonlySet<string>;
  /** The last rebase of these layers, kept so a cloud update that changes neither reuses it. */
  readonly rebased?: LastRebase;
}

/** What {@link rebase} returns. */
export interface Rebased {
  readonly entities: EntitySet;
  readonly touched: Set<string>;
  readonly refused: Set<string>;
  /** The last pending op that changed each touched entity. */
  readonly touchedBy: Map<string, string>;
}

/**
 * A rebase and what it was of: `confirmed` and the first `length` ops of `pending`. Both layers
 * are never changed in place, except that a handed-over pending list grows at its end, so the
 * same two objects and length mean the same input, and (decide being pure) the same result.
 */
interface LastRebase {
  readonly confirmed: EntitySet;
  readonly pending: readonly PendingOp[];
  readonly length: number;
  readonly result: Rebased;
}

export type LocalOutcome =
  | {
      readonly kind: 'accepted';
      readonly model: VenueModel;
      readonly changes: readonly EntityChange[];
    }
  | {
      readonly kind: 'rejected';
      readonly model: VenueModel;
      readonly rejection: Omit<RejectedResult, 'opId' | 'status'>;
    }
  /** Not decidable here for certain: in `pending` (replayed in order), no change shown. */
  | { readonly kind: 'held'; readonly model: VenueModel; readonly message: string };

const keyOf = (entity: EntityKind, id: string): string => `${entity}\u0000${id}`;
const splitKey = (key: string): [EntityKind, string] => key.split('\u0000') as [EntityKind, string];

/**
 * A model from its stored layers. `visible` is what devices were last shown (its versions must
 * carry on, or a device would skip the next change as old); without it — a first bootstrap —
 * devices start from the confirmed state's versions. Returns the changes that bring a stored
 * `visible` up to date with confirmed + pending (none, after a clean shutdown).
 */
export function createVenueModel(layers: {
  readonly tenantId: string;
  readonly venueId: string;
  readonly confirmed: EntitySet;
  readonly pending?: readonly PendingOp[];
  readonly visible?: EntitySet;
}): { model: VenueModel; changes: VisibleChange[] } {
  const { tenantId, venueId, confirmed } = layers;
  const pending = layers.pending ?? [];
  const rebased = rebase(tenantId, venueId, confirmed, pending);
  const last = { confirmed, pending, length: pending.length, result: rebased };
  if (!layers.visible) {
    return {
      model: {
        tenantId,
        venueId,
        confirmed,
        pending,
        visible: rebased.entities,
        touched: rebased.touched,
        rebased: last,
      },
      changes: [],
    };
  }
  const candidates = new Set(rebased.touched);
  for (const set of [layers.visible, rebased.entities]) {
    for (const kind of ENTITY_KINDS)
      for (const entity of listEntities(set, kind)) candidates.add(keyOf(kind, entity.id));
  }
  const { visible, changes } = diff(
    layers.visible,
    rebased.entities,
    candidates,
    rebased.touchedBy,
  );
  return {
    model: {
      tenantId,
      venueId,
      confirmed,
      pending,
      visible,
      touched: rebased.touched,
      rebased: last,
    },
    changes,
  };
}

/** Re-decides pending ops on top of the confirmed state. Ops that no longer apply are left out. */
export function rebase(
  tenantId: string,
  venueId: string,
  confirmed: EntitySet,
  pending: readonly PendingOp[],
): Rebased {
  let state = { tenantId, venueId, entities: confirmed };
  const touched = new Set<string>();
  const touchedBy = new Map<string, string>();
  const refused = new Set<string>();
  for (const p of pending) {
    const decision = decide(state, p.op, { now: p.receivedAt, principal: p.principal });
    if (decision.kind === 'rejected') {
      refused.add(p.op.opId);
      continue;
    }
    for (const change of decision.changes) {
      const key = keyOf(change.entity, change.id);
      touched.add(key);
      touchedBy.set(key, p.op.opId);
    }
    state = decision.state;
  }
  return { entities: state.entities, touched, refused, touchedBy };
}

/**
 * Judges an op locally, on what devices see (protocol's `judgeLocally`). Accepted: it joins
 * `pending` and its changes (in relay versions, since it was decided on the visible state) go to
 * the LAN feed. Held: it joins `pending` with no change shown; a later rebase shows it once
 * what it needs arrives, and the cloud decides it. Rejected: only what is final anywhere.
 */
export function acceptLocal(
  model: VenueModel,
  pending: PendingOp,
  options: {
    /**
     * The caller gives `model` up (never reads it again, as the engine does): the result then
     * shares and extends its pending list and touched set. Without it `model` is left as it was.
     */
    readonly handOver?: boolean;
    /** What the relay knows of an op named in `dependsOn` (default: applied). */
    readonly dependency?: (opId: string) => DependencyStatus;
    /** Whether the cloud is known to have changed an entity since `confirmed` (default: no). */
    readonly behind?: (entity: EntityKind, id: string) => boolean;
  } = {},
): LocalOutcome {
  const verdict = judgeLocally(
    { tenantId: model.tenantId, venueId: model.venueId, entities: model.visible },
    pending.op,
    { now: pending.receivedAt, principal: pending.principal },
    options.dependency ?? (() => 'applied'),
    options.behind,
  );
  if (verdict.kind === 'reject') {
    return {
      kind: 'rejected',
      model,
      rejection: { code: verdict.code, message: verdict.message },
    };
  }
  // Copying `pending` and `touched` costs O(pending) per op (quadratic over an outage); a caller
  // that hands the model over has them extended in place instead.
  const ops = options.handOver ? (model.pending as PendingOp[]) : [...model.pending];
  ops.push(pending);
  if (verdict.kind === 'hold') {
    return { kind: 'held', model: { ...model, pending: ops }, message: verdict.message };
  }
  const touched = options.handOver ? (model.touched as Set<string>) : new Set(model.touched);
  for (const change of verdict.changes) touched.add(keyOf(change.entity, change.id));
  return {
    kind: 'accepted',
    model: { ...model, pending: ops, visible: verdict.state.entities, touched },
    changes: verdict.changes,
  };
}

/**
 * Takes in what the cloud said: feed entries (its truth) and the ops it has settled (applied or
 * rejected: either way they leave `pending`). Returns the new model and the changes devices must
 * see — including corrections where a pending op the cloud rejected had changed the screen.
 */
export function applyCloud(
  model: VenueModel,
  update: { readonly entries?: readonly Projectable[]; readonly settled?: ReadonlySet<string> },
): { model: VenueModel; changes: VisibleChange[] } {
  const entries = update.entries ?? [];
  const settled = update.settled ?? new Set<string>();
  const confirmed = project(model.confirmed, entries);
  // Verdicts the feed already settled leave `pending` as it was, the same list.
  const kept =
    settled.size === 0 ? model.pending : model.pending.filter((p) => !settled.has(p.op.opId));
  const pending = kept.length === model.pending.length ? model.pending : kept;
  // `project` returns the same set when no entry changed it: then the last rebase still holds.
  const last = model.rebased;
  const rebased =
    last?.confirmed === confirmed && last.pending === pending && last.length === pending.length
      ? last.result
      : rebase(model.tenantId, model.venueId, confirmed, pending);
  const candidates = new Set<string>([...model.touched, ...rebased.touched]);
  // Which op each change shows (a device's cache tells by it that its op has arrived): the
  // cloud entry's, unless a pending op changed the entity after it.
  const origins = new Map<string, string>();
  for (const entry of entries) {
    const key = keyOf(entry.entity, entry.id);
    candidates.add(key);
    const { opId } = entry as { readonly opId?: string };
    if (opId !== undefined) origins.set(key, opId);
  }
  for (const [key, opId] of rebased.touchedBy) origins.set(key, opId);
  const { visible, changes } = diff(model.visible, rebased.entities, candidates, origins);
  return {
    model: {
      ...model,
      confirmed,
      pending,
      visible,
      touched: rebased.touched,
      rebased: { confirmed, pending, length: pending.length, result: rebased },
    },
    changes,
  };
}

/**
 * Compares two entity values ignoring `version` (relay and cloud number them differently): equal
 * exactly when their canonical JSON is. Each diff compares every entity a pending op touches, so
 * this walks the two values side by side, stops at the first difference and skips any part the
 * two share (a rebase keeps an entity's unchanged lines, the same objects), instead of
 * serialising both.
 */
export function sameData(a: AnyEntity, b: AnyEntity): boolean {
  if (a === b) return true;
  const verdict = sameMembers(
    a as unknown as Readonly<Record<string, unknown>>,
    b as unknown as Readonly<Record<string, unknown>>,
    'version',
  );
  if (verdict !== undefined) return verdict;
  // A value canonical JSON does not define plainly (a non-finite number, a hole): its verdict.
  return (
    canonicalJson({ ...a, version: 0 } as JsonValue) ===
    canonicalJson({ ...b, version: 0 } as JsonValue)
  );
}

/** Whether two JSON values have the same canonical JSON; undefined when unsure. */
function sameJson(a: unknown, b: unknown): boolean | undefined {
  if (a === b) {
    // Equal strings, booleans, null, finite numbers (0 and -0 both print "0"), or one object.
    if (a === undefined) return undefined;
    return typeof a !== 'number' || Number.isFinite(a) ? true : undefined;
  }
  if (typeof a === 'number' || typeof b === 'number') {
    if (typeof a === 'number' && !Number.isFinite(a)) return undefined;
    if (typeof b === 'number' && !Number.isFinite(b)) return undefined;
    return false;
  }
  if (a === undefined || b === undefined) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const arrays = Array.isArray(a);
  if (arrays !== Array.isArray(b)) return false;
  if (!arrays) {
    return sameMembers(
      a as Readonly<Record<string, unknown>>,
      b as Readonly<Record<string, unknown>>,
    );
  }
  const left = a as readonly unknown[];
  const right = b as readonly unknown[];
  if (left.length !== right.length) return false;
  for (let i = 0; i < left.length; i++) {
    const same = sameJson(left[i], right[i]);
    if (same !== true) return same;
  }
  return true;
}

/** Objects: the same members once `undefined` ones are dropped (and `ignore`), of the same JSON. */
function sameMembers(
  a: Readonly<Record<string, unknown>>,
  b: Readonly<Record<string, unknown>>,
  ignore?: string,
): boolean | undefined {
  let count = 0;
  for (const key of Object.keys(a)) {
    const member = a[key];
    if (key === ignore || member === undefined) continue;
    count++;
    const other = Object.hasOwn(b, key) ? b[key] : undefined;
    if (other === undefined) return false;
    const same = sameJson(member, other);
    if (same !== true) return same;
  }
  for (const key of Object.keys(b)) {
    if (key === ignore || b[key] === undefined) continue;
    count--;
  }
  return count === 0;
}

/** A change to what devices see, with the op it shows when one is known. */
export type VisibleChange = EntityChange & { readonly opId?: string };

/**
 * The changes that turn `visible` into `target` over the candidate entities, each with the
 * entity's next relay version and, from `origins`, the op it shows.
 */
function diff(
  visible: EntitySet,
  target: EntitySet,
  candidates: ReadonlySet<string>,
  origins: ReadonlyMap<string, string>,
): { visible: EntitySet; changes: VisibleChange[] } {
  const changes: VisibleChange[] = [];
  for (const key of [...candidates].sort()) {
    const [entity, id] = splitKey(key);
    const shown = getEntity(visible, entity, id);
    const truth = getEntity(target, entity, id);
    if (!truth) {
      if (shown) {
        const change = { entity, id, op: 'tombstone', version: shown.version + 1 } as const;
        changes.push(withOrigin(change, origins.get(key)));
      }
      continue;
    }
    if (shown && sameData(shown, truth)) continue;
    const version = (shown?.version ?? 0) + 1;
    const change = { entity, id, op: 'upsert', data: { ...truth, version }, version };
    changes.push(withOrigin(change as EntityChange, origins.get(key)));
  }
  return { visible: project(visible, changes), changes };
}

function withOrigin(change: EntityChange, opId: string | undefined): VisibleChange {
  return opId === undefined ? change : { ...change, opId };
}
