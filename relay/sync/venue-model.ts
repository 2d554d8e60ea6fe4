import {
  type AnyEntity,
  canonicalJson,
  decide,
  ENTITY_KINDS,
  type EntityChange,
  type EntityKind,
  type EntitySet,
  getEntity,
  type JsonValue,
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
    };

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
}): { model: VenueModel; changes: EntityChange[] } {
  const { tenantId, venueId, confirmed } = layers;
  const pending = layers.pending ?? [];
  const rebased = rebase(tenantId, venueId, confirmed, pending);
  if (!layers.visible) {
    return {
      model: {
        tenantId,
        venueId,
        confirmed,
        pending,
        visible: rebased.entities,
        touched: rebased.touched,
      },
      changes: [],
    };
  }
  const candidates = new Set(rebased.touched);
  for (const set of [layers.visible, rebased.entities]) {
    for (const kind of ENTITY_KINDS)
      for (const entity of listEntities(set, kind)) candidates.add(keyOf(kind, entity.id));
  }
  const { visible, changes } = diff(layers.visible, rebased.entities, candidates);
  return {
    model: { tenantId, venueId, confirmed, pending, visible, touched: rebased.touched },
    changes,
  };
}

/** Re-decides pending ops on top of the confirmed state. Ops that no longer apply are left out. */
export function rebase(
  tenantId: string,
  venueId: string,
  confirmed: EntitySet,
  pending: readonly PendingOp[],
): { entities: EntitySet; touched: Set<string>; refused: Set<string> } {
  let state = { tenantId, venueId, entities: confirmed };
  const touched = new Set<string>();
  const refused = new Set<string>();
  for (const p of pending) {
    const decision = decide(state, p.op, { now: p.receivedAt, principal: p.principal });
    if (decision.kind === 'rejected') {
      refused.add(p.op.opId);
      continue;
    }
    for (const change of decision.changes) touched.add(keyOf(change.entity, change.id));
    state = decision.state;
  }
  return { entities: state.entities, touched, refused };
}

/**
 * Decides an op locally, on what devices see. Accepted: it joins `pending` and its changes (in
 * relay versions, since it was decided on the visible state) go to the LAN feed.
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
  } = {},
): LocalOutcome {
  const decision = decide(
    { tenantId: model.tenantId, venueId: model.venueId, entities: model.visible },
    pending.op,
    { now: pending.receivedAt, principal: pending.principal },
  );
  if (decision.kind === 'rejected') {
    const { code, message, current } = decision;
    return {
      kind: 'rejected',
      model,
      rejection: current === undefined ? { code, message } : { code, message, current },
    };
  }
  // Copying `pending` and `touched` costs O(pending) per op (quadratic over an outage); a caller
  // that hands the model over has them extended in place instead.
  const touched = options.handOver ? (model.touched as Set<string>) : new Set(model.touched);
  for (const change of decision.changes) touched.add(keyOf(change.entity, change.id));
  const ops = options.handOver ? (model.pending as PendingOp[]) : [...model.pending];
  ops.push(pending);
  return {
    kind: 'accepted',
    model: { ...model, pending: ops, visible: decision.state.entities, touched },
    changes: decision.changes,
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
): { model: VenueModel; changes: EntityChange[] } {
  const entries = update.entries ?? [];
  const settled = update.settled ?? new Set<string>();
  const confirmed = project(model.confirmed, entries);
  const pending =
    settled.size === 0 ? model.pending : model.pending.filter((p) => !settled.has(p.op.opId));
  const rebased = rebase(model.tenantId, model.venueId, confirmed, pending);
  const candidates = new Set<string>([...model.touched, ...rebased.touched]);
  for (const entry of entries) candidates.add(keyOf(entry.entity, entry.id));
  const { visible, changes } = diff(model.visible, rebased.entities, candidates);
  return { model: { ...model, confirmed, pending, visible, touched: rebased.touched }, changes };
}

/** Compares two entity values ignoring `version` (relay and cloud number them differently). */
function sameData(a: AnyEntity, b: AnyEntity): boolean {
  return (
    canonicalJson({ ...a, version: 0 } as JsonValue) ===
    canonicalJson({ ...b, version: 0 } as JsonValue)
  );
}

/**
 * The changes that turn `visible` into `target` over the candidate entities, each with the
 * entity's next relay version.
 */
function diff(
  visible: EntitySet,
  target: EntitySet,
  candidates: ReadonlySet<string>,
): { visible: EntitySet; changes: EntityChange[] } {
  const changes: EntityChange[] = [];
  for (const key of [...candidates].sort()) {
    const [entity, id] = splitKey(key);
    const shown = getEntity(visible, entity, id);
    const truth = getEntity(target, entity, id);
    if (!truth) {
      if (shown) changes.push({ entity, id, op: 'tombstone', version: shown.version + 1 });
      continue;
    }
    if (shown && sameData(shown, truth)) continue;
    const version = (shown?.version ?? 0) + 1;
    changes.push({
      entity,
      id,
      op: 'upsert',
      data: { ...truth, version },
      version,
    } as EntityChange);
  }
  return { visible: project(visible, changes), changes };
}
