import type { Principal } from '#protocol';
import type { LanCaller } from '../../relay/lan/lan-caller.ts';
import type { CloudNode } from './cloud-node.ts';
import { TENANT, VENUE } from './cloud-node.ts';
import type { LinkName } from './network.ts';
import { Outbox } from './outbox.ts';
import type { Rng } from './prng.ts';

/** Waiters and the kitchen on LAN tablets, guests on mobile data, one hostile LAN client. */
export type DeviceKind = 'waiter' | 'kitchen' | 'guest' | 'hostile';

/** What a device remembers of an order it made (or was told of). */
export interface KnownOrder {
  readonly orderId: string;
  /** The op that created it: later ops on it depend on it. */
  readonly createOpId: string;
  lines: number;
  unsent: boolean;
  closed: boolean;
  dead: boolean;
}

export interface Device {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly link: Extract<LinkName, 'lan' | 'mobile'>;
  /** The write lane it uses: one op per request, or its queued ops as one batch. */
  readonly lane: 'direct' | 'batch';
  readonly principal: Principal;
  readonly actorId: string;
  readonly bearer: string;
  readonly outbox: Outbox;
  readonly orders: Map<string, KnownOrder>;
  /** Kitchen: the next action index per ticket (start, ready, bump). */
  readonly tickets: Map<string, number>;
}

const staff = (actorId: string, role: 'server' | 'kitchen'): Principal => ({
  kind: 'staff',
  tenantId: TENANT,
  venueId: VENUE,
  actorId,
  role,
});

/** This run's devices: always two waiters and a kitchen; guests and a hostile client by profile. */
export function makeDevices(rng: Rng, cloud: CloudNode, callers: Map<string, LanCaller>): Device[] {
  const specs: { id: string; kind: DeviceKind; principal: Principal; actorId: string }[] = [
    {
      id: 'tablet-w1',
      kind: 'waiter',
      principal: staff('demo-server', 'server'),
      actorId: 'demo-server',
    },
    {
      id: 'tablet-w2',
      kind: 'waiter',
      principal: staff('demo-server', 'server'),
      actorId: 'demo-server',
    },
    {
      id: 'kds-1',
      kind: 'kitchen',
      principal: staff('demo-kitchen', 'kitchen'),
      actorId: 'demo-kitchen',
    },
  ];
  const guests = rng.chance(0.6) ? 1 + rng.int(2) : 0;
  for (let i = 1; i <= guests; i++) {
    const sessionId = `guest-session-${i}`;
    const tableId = `table-${8 + i}`;
    specs.push({
      id: `phone-${i}`,
      kind: 'guest',
      principal: { kind: 'guest', tenantId: TENANT, venueId: VENUE, sessionId, tableId },
      actorId: sessionId,
    });
  }
  if (rng.chance(0.35))
    specs.push({
      id: 'tablet-x',
      kind: 'hostile',
      principal: staff('demo-server', 'server'),
      actorId: 'demo-server',
    });
  return specs.map((spec) => {
    const bearer = cloud.bearer(spec.principal);
    const link = spec.kind === 'guest' ? 'mobile' : 'lan';
    if (link === 'lan')
      callers.set(bearer, { principal: spec.principal, token: bearer, kid: 'cloud-1' });
    return {
      ...spec,
      link,
      lane: rng.chance(0.3) ? 'batch' : 'direct',
      bearer,
      outbox: new Outbox(),
      orders: new Map(),
      tickets: new Map(),
    };
  });
}
