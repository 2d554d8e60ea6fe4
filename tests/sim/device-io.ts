import type { Operation, OpResult } from '#protocol';
import { type CloudNode, VENUE } from './cloud-node.ts';
import { cloudWouldApply } from './cloud-view.ts';
import type { Device } from './devices.ts';
import type { History } from './history.ts';
import type { Network } from './network.ts';
import { type OutboxEntry, type Verdict, verdictOf, verdictOfResult } from './outbox.ts';
import type { RelayNode } from './relay-node.ts';
import type { SimClock } from './sim-clock.ts';

export interface DeviceIoDeps {
  readonly net: Network;
  readonly cloud: CloudNode;
  readonly relay: RelayNode;
  readonly history: History;
  readonly clock: SimClock;
  readonly log: (line: string) => void;
  /** Orders guests made and were answered applied: the guest tells a waiter. */
  readonly guestOrders: string[];
}

/**
 * A device's outbox on the wire: its oldest op (direct lane) or oldest ops (batch lane) to the
 * relay on the LAN, or to the cloud on mobile data; answers settle the outbox, a lost answer
 * leaves the ops queued for a resend with the same opIds. The relay's first rejection of an op is
 * audited against what the cloud would do with it.
 */
export class DeviceIo {
  private readonly deps: DeviceIoDeps;

  constructor(deps: DeviceIoDeps) {
    this.deps = deps;
  }

  async send(device: Device): Promise<void> {
    const entries = device.outbox.heads(device.lane === 'batch' ? 5 : 1);
    const first = entries[0];
    if (!first) return;
    const { net, cloud, relay, log } = this.deps;
    device.outbox.sending = true;
    for (const entry of entries) entry.sends++;
    const batch = device.lane === 'batch';
    const ops = entries.map((e) => e.op);
    const path = `/v1/venues/${VENUE}/ops${batch ? '/batch' : ''}`;
    const init = {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${device.bearer}`,
        ...(batch ? {} : { 'Idempotency-Key': first.op.opId }),
      },
      body: JSON.stringify(batch ? { deviceId: device.id, ops } : first.op),
    };
    const label = `${device.id} ${batch ? `batch of ${ops.length}` : first.op.type} ${first.op.opId.slice(-6)}`;
    const via = device.link === 'lan' ? 'relay' : 'cloud';
    try {
      const response = await net.call(device.link, label, {
        inline: via === 'cloud',
        serve: () => {
          if (via === 'cloud')
            return { response: Promise.resolve(cloud.app.request(path, init)), alive: () => true };
          const served = relay.serveLan(path, init);
          return { ...served, response: served.response.then((r) => this.audit(device, ops, r)) };
        },
      });
      const verdicts = batch
        ? await batchVerdicts(ops, response)
        : [await verdictOf(first.op.opId, response)];
      for (const [i, verdict] of verdicts.entries()) {
        const entry = entries[i];
        if (!entry) break;
        log(`${device.id} ${entry.op.opId.slice(-6)} ← ${describe(verdict)}`);
        if (verdict.kind === 'retry') break;
        this.settle(device, entry, verdict, via);
      }
    } catch {
      // A lost answer: the ops stay queued and go again with the same opIds.
    } finally {
      device.outbox.sending = false;
    }
  }

  private settle(device: Device, entry: OutboxEntry, verdict: Verdict, via: 'relay' | 'cloud') {
    const { op } = entry;
    if (verdict.kind !== 'retry') this.deps.history.answered(op.opId, { via, ...verdict });
    device.outbox.settle(entry, verdict);
    if (verdict.kind === 'rejected' && op.type === 'order.create') {
      const known = device.orders.get(op.payload.orderId);
      if (known) known.dead = true;
    }
    if (verdict.kind === 'ack' && device.kind === 'guest' && op.type === 'order.create')
      this.deps.guestOrders.push(op.payload.orderId);
  }

  /** Checks the relay's first rejections (not repeats) against the cloud; passes the answer on. */
  private async audit(device: Device, ops: readonly Operation[], response: Response) {
    const body: unknown = await response
      .clone()
      .json()
      .catch(() => undefined);
    const results: OpResult[] =
      (body as { results?: OpResult[] } | undefined)?.results ??
      (response.status === 422 && !response.headers.get('Idempotent-Replayed')
        ? [(body as { result?: OpResult } | undefined)?.result].filter((r) => r !== undefined)
        : []);
    const { cloud, relay, clock, history } = this.deps;
    for (const result of results) {
      if (result.status !== 'rejected') continue;
      const op = ops.find((o) => o.opId === result.opId);
      if (!op) continue;
      const now = clock.now().toISOString();
      const would = await cloudWouldApply(cloud, relay, op, device.principal, now);
      if (would.apply)
        history.violate(
          'the relay never rejects an op the cloud would apply',
          `${device.id} ${op.type} ${op.opId} (deps ${op.dependsOn.length > 0 ? op.dependsOn.join(',') : 'none'}): relay rejected ${result.code} (${result.message}); the cloud: ${would.why}`,
        );
    }
    return response;
  }
}

async function batchVerdicts(ops: readonly Operation[], response: Response): Promise<Verdict[]> {
  if (response.status !== 200) return [await verdictOf(ops[0]?.opId ?? '', response)];
  const body = (await response.json()) as { results?: OpResult[] };
  return (body.results ?? []).map(verdictOfResult);
}

function describe(verdict: Verdict): string {
  return `${verdict.kind} ${verdict.kind === 'retry' ? verdict.why : verdict.result.status}`;
}
