import { canonicalJson, type JsonValue, type SnapshotRecord } from '#protocol';
import type { CloudNode } from './cloud-node.ts';
import type { Device } from './devices.ts';
import type { History } from './history.ts';
import { finalOf } from './outbox.ts';
import type { RelayNode } from './relay-node.ts';

const keyOf = (r: SnapshotRecord) => `${r.entity}/${r.data.id}`;

function withoutVersion(r: SnapshotRecord): string {
  const { version: _version, ...rest } = r.data as { version: number };
  return canonicalJson(rest as JsonValue);
}

/** Total owed and total paid over every order: relay and cloud must agree on money. */
function money(records: readonly SnapshotRecord[]): { totals: number; paid: number } {
  let totals = 0;
  let paid = 0;
  for (const r of records) {
    if (r.entity !== 'order') continue;
    totals += r.data.totals.total;
    paid += r.data.payment?.amount ?? 0;
  }
  return { totals, paid };
}

/**
 * The invariants checked once everything has drained: every acknowledged op has exactly one
 * effect in the cloud; nothing the cloud applied was rejected anywhere; each device's ops were
 * applied in its order; the relay converged on the cloud (confirmed equal, visible equal but for
 * relay versions, nothing pending); outboxes hold only final answers; money agrees.
 */
export async function checkFinal(
  history: History,
  cloud: CloudNode,
  relay: RelayNode,
  devices: readonly Device[],
): Promise<void> {
  const cloudNow = await cloud.state();
  const present = new Set(cloudNow.records.map(keyOf));
  const lastSeq = new Map<string, { seq: number; opId: string }>();
  const ordered = [...history.ops.values()].sort((a, b) => a.index - b.index);
  for (const record of ordered) {
    const { op, device, answers } = record;
    const recorded = await cloud.recorded(op.opId);
    const applied = recorded?.status === 'applied' ? recorded : undefined;
    const hostile = device.kind === 'hostile';
    const acked = answers.filter((a) => a.kind === 'ack');
    const mustApply = hostile
      ? acked.some((a) => finalOf(a.result).status === 'applied')
      : acked.length > 0;
    if (mustApply && !applied) {
      history.violate(
        'acknowledged op has exactly one effect in the cloud',
        `${device.id} ${op.type} ${op.opId} was acknowledged (${acked.map((a) => `${a.via}:${finalOf(a.result).status}`).join(',')}) but the cloud recorded ${recorded ? `${recorded.status} ${'code' in recorded ? recorded.code : ''}` : 'nothing'}`,
      );
    }
    if (applied) {
      for (const changed of applied.changed)
        if (!present.has(`${changed.entity}/${changed.id}`))
          history.violate(
            'acknowledged op has exactly one effect in the cloud',
            `${op.opId} changed ${changed.entity}/${changed.id}, which the cloud does not hold`,
          );
      const rejected = answers.find((a) => a.kind === 'rejected');
      if (rejected) {
        const final = finalOf(rejected.result);
        history.violate(
          'an op the cloud applied is never rejected',
          `${device.id} ${op.type} ${op.opId}: the cloud applied it, the ${rejected.via} answered rejected ${'code' in final ? final.code : ''}: ${'message' in final ? final.message : ''}`,
        );
      }
      const journal = relay.store.journalEntry(op.opId);
      if (journal?.status === 'rejected' && !rejected)
        history.violate(
          'an op the cloud applied is never rejected',
          `${device.id} ${op.type} ${op.opId}: the cloud applied it, the relay's journal holds it rejected`,
        );
      if (applied.seq > 0) {
        const before = lastSeq.get(device.id);
        // An op that changed nothing (a repeated bump) is applied at the head it was decided
        // at: the same seq as the op before it is in order; an op with changes has its own.
        const outOfOrder =
          before !== undefined &&
          (before.seq > applied.seq || (before.seq === applied.seq && applied.changed.length > 0));
        if (before && outOfOrder)
          history.violate(
            'per-device order holds in the cloud',
            `${device.id}: ${op.opId} (#${record.index}) applied at seq ${applied.seq}, after ${before.opId} at seq ${before.seq}`,
          );
        lastSeq.set(device.id, { seq: applied.seq, opId: op.opId });
      }
    }
  }
  for (const device of devices) {
    if (device.kind === 'hostile') continue;
    const waiting = device.outbox.entries.filter((e) => e.status === 'queued');
    if (waiting.length > 0)
      history.violate(
        'outboxes drain to final answers',
        `${device.id} still holds ${waiting.length} op(s), first ${waiting[0]?.op.type} ${waiting[0]?.op.opId} (sent ${waiting[0]?.sends}x)`,
      );
  }
  checkConvergence(history, cloudNow.seq, cloudNow.records, relay);
}

function checkConvergence(
  history: History,
  cloudSeq: number,
  cloudRecords: readonly SnapshotRecord[],
  relay: RelayNode,
): void {
  const state = relay.store.load();
  if (state.pending.length > 0)
    history.violate(
      'relay journal drains',
      `${state.pending.length} op(s) still pending, first ${state.pending[0]?.op.type} ${state.pending[0]?.opId} of ${state.pending[0]?.deviceId}`,
    );
  if (state.cloudSeq !== cloudSeq)
    history.violate(
      'relay converges on the cloud',
      `relay at cloud seq ${state.cloudSeq}, cloud head ${cloudSeq}`,
    );
  const cloud = new Map(cloudRecords.map((r) => [keyOf(r), r]));
  const confirmed = new Map(state.confirmed.map((r) => [keyOf(r), r]));
  const visible = new Map(state.visible.map((r) => [keyOf(r), r]));
  const diffs: string[] = [];
  for (const [key, r] of cloud) {
    const c = confirmed.get(key);
    if (!c || canonicalJson(c.data as JsonValue) !== canonicalJson(r.data as JsonValue))
      diffs.push(
        `confirmed ${key} ${c ? `v${c.data.version}` : 'missing'} vs cloud v${r.data.version}`,
      );
    const v = visible.get(key);
    if (!v || withoutVersion(v) !== withoutVersion(r))
      diffs.push(`visible ${key} ${v ? 'differs' : 'missing'}`);
  }
  for (const key of confirmed.keys())
    if (!cloud.has(key)) diffs.push(`confirmed ${key} not in cloud`);
  for (const key of visible.keys()) if (!cloud.has(key)) diffs.push(`visible ${key} not in cloud`);
  if (diffs.length > 0)
    history.violate(
      'relay converges on the cloud',
      `${diffs.length} difference(s): ${diffs.slice(0, 4).join('; ')}`,
    );
  const a = money(cloudRecords);
  const b = money(state.visible);
  if (a.totals !== b.totals || a.paid !== b.paid)
    history.violate(
      'money agrees',
      `cloud totals ${a.totals} paid ${a.paid}; relay totals ${b.totals} paid ${b.paid}`,
    );
}
