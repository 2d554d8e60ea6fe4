import type { Device } from './devices.ts';
import type { Call, LinkName, Message, Network } from './network.ts';
import { LINKS } from './network.ts';
import { type Rng, weighted } from './prng.ts';
import type { RelayNode } from './relay-node.ts';

/** One thing the scheduler can make happen in a step. */
export type SimEvent =
  | { readonly kind: 'act'; readonly device: Device }
  | { readonly kind: 'send'; readonly device: Device }
  | { readonly kind: 'deliver'; readonly message: Message }
  | { readonly kind: 'drop'; readonly message: Message }
  | { readonly kind: 'duplicate'; readonly message: Message }
  | { readonly kind: 'timeout'; readonly call: Call }
  | { readonly kind: 'flush' }
  | { readonly kind: 'replay' }
  | { readonly kind: 'pull' }
  | { readonly kind: 'probe' }
  | { readonly kind: 'partition'; readonly link: LinkName }
  | { readonly kind: 'heal'; readonly link: LinkName }
  | { readonly kind: 'crash' };

export interface World {
  readonly rng: Rng;
  readonly net: Network;
  readonly relay: RelayNode;
  readonly devices: readonly Device[];
  /** This run's fault rates (the profile drawn from the seed). */
  readonly faults: Faults;
}

export interface Faults {
  readonly drop: number;
  readonly duplicate: number;
  readonly partition: number;
  readonly crash: number;
}

/**
 * The events enabled now, weighted, and one of them chosen. During chaos devices act and every
 * fault may strike; after the heal only the work that drains the system runs (deliveries, flushes,
 * replays, feed pulls, resends, and timeouts of calls whose answer can no longer come).
 */
export function chooseEvent(world: World, chaos: boolean): SimEvent | undefined {
  const { rng, net, relay, devices, faults } = world;
  const options: [SimEvent, number][] = [];
  for (const device of devices) {
    const hostileQuiet = !chaos && device.kind === 'hostile';
    if (chaos && device.outbox.queued < 4) options.push([{ kind: 'act', device }, 2]);
    if (!hostileQuiet && !device.outbox.sending && device.outbox.head())
      options.push([{ kind: 'send', device }, 4]);
  }
  const message = net.pick(rng);
  if (message) {
    options.push([{ kind: 'deliver', message }, 10]);
    if (chaos && !message.call.reliable) {
      options.push([{ kind: 'drop', message }, 10 * faults.drop]);
      if (message.kind === 'request')
        options.push([{ kind: 'duplicate', message }, 10 * faults.duplicate]);
    }
  }
  for (const call of net.pendingCalls()) {
    if (call.reliable) continue;
    const orphaned = net.orphaned(call);
    if (orphaned || chaos) options.push([{ kind: 'timeout', call }, orphaned ? 2 : 0.05]);
  }
  if (relay.pendingFlushes > 0) options.push([{ kind: 'flush' }, 5]);
  const together = relay.feedConcurrent;
  if (relay.online && !relay.replaying && (together || !relay.pulling) && relay.journalWaits())
    options.push([{ kind: 'replay' }, 3]);
  if (relay.online && !relay.pulling && (together || !relay.replaying))
    options.push([{ kind: 'pull' }, 2]);
  if (!relay.online) options.push([{ kind: 'probe' }, 1]);
  for (const link of LINKS) {
    if (net.partitioned[link]) options.push([{ kind: 'heal', link }, chaos ? 0.4 : 5]);
    else if (chaos) options.push([{ kind: 'partition', link }, faults.partition]);
  }
  if (chaos) options.push([{ kind: 'crash' }, faults.crash]);
  return weighted(rng, options);
}

/** A short name of an event for the trace. */
export function describe(event: SimEvent): string {
  switch (event.kind) {
    case 'act':
    case 'send':
      return `${event.kind} ${event.device.id}`;
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return `${event.kind} ${event.message.kind} #${event.message.call.id}`;
    case 'timeout':
      return `timeout #${event.call.id}`;
    case 'partition':
    case 'heal':
      return `${event.kind} ${event.link}`;
    default:
      return event.kind;
  }
}
