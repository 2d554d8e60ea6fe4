import { decide, type Operation, type Principal, type VenueState } from '#protocol';
import type { CloudNode } from './cloud-node.ts';
import type { RelayNode } from './relay-node.ts';

/**
 * What the cloud would answer an op now, were it sent after everything the relay still holds
 * (its pending journal, replayed in order on the cloud's state): applied, or why not. The relay
 * rejecting an op the cloud would apply is the relay being wrong, not the op.
 */
export async function cloudWouldApply(
  cloud: CloudNode,
  relay: RelayNode,
  op: Operation,
  principal: Principal,
  now: string,
): Promise<{ apply: boolean; why: string }> {
  const recorded = await cloud.recorded(op.opId);
  if (recorded)
    return { apply: recorded.status === 'applied', why: `cloud recorded ${recorded.status}` };
  const pending = relay.store.pendingJournal(10_000);
  const pendingIds = new Set(pending.map((r) => r.opId));
  for (const dependency of op.dependsOn) {
    const dep = await cloud.recorded(dependency);
    if (dep?.status === 'applied') continue;
    if (!dep && pendingIds.has(dependency)) continue;
    return { apply: false, why: `dependency ${dependency} ${dep ? dep.status : 'unknown'}` };
  }
  let state: VenueState = (await cloud.state()).state;
  for (const record of pending) {
    if (record.opId === op.opId) break;
    const decision = decide(state, record.op, { now, principal: record.principal });
    if (decision.kind === 'applied') state = decision.state;
  }
  const decision = decide(state, op, { now, principal });
  return {
    apply: decision.kind === 'applied',
    why: decision.kind === 'applied' ? 'applies' : `${decision.code}`,
  };
}
