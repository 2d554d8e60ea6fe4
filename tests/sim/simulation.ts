import type { LanCaller } from '../../relay/lan/lan-caller.ts';
import { nextOps } from './behaviour.ts';
import { checkFinal } from './checker.ts';
import { makeCloud, VENUE } from './cloud-node.ts';
import { DeviceIo } from './device-io.ts';
import { makeDevices } from './devices.ts';
import { chooseEvent, describe, type Faults, type SimEvent, type World } from './events.ts';
import { History, type Violation } from './history.ts';
import { Network } from './network.ts';
import { mulberry32 } from './prng.ts';
import { RelayNode } from './relay-node.ts';
import { SimClock, ulidFactory } from './sim-clock.ts';

export interface SimOptions {
  readonly seed: number;
  /** Steps with faults and new work. */
  readonly chaosSteps?: number;
  /** Steps allowed after the heal for everything to drain (a stuck journal fails past it). */
  readonly drainSteps?: number;
}

export interface SimResult {
  readonly seed: number;
  readonly violations: readonly Violation[];
  readonly steps: number;
  readonly ops: number;
  readonly trace: readonly string[];
}

/** Lets every continuation that can run, run: nothing here waits on real time or real I/O. */
async function settle(): Promise<void> {
  for (let i = 0; i < 1; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Runs one seeded simulation to the end and checks it. The same seed gives the same run. */
export async function runSimulation(options: SimOptions): Promise<SimResult> {
  const { seed } = options;
  const rng = mulberry32(seed);
  const trace: string[] = [];
  const log = (line: string) => trace.push(line);
  const clock = new SimClock('2026-11-23T19:31:00.000Z');
  const ulid = ulidFactory(clock, rng);
  const history = new History();
  const net = new Network(log);
  const cloud = await makeCloud(clock);
  const callers = new Map<string, LanCaller>();
  const devices = makeDevices(rng, cloud, callers);
  const relay = new RelayNode({
    net,
    cloud,
    clock,
    callers,
    trace: log,
    fault: (what) => history.violate('no internal failure', what),
  });
  const faults: Faults = {
    drop: rng.pick([0, 0.05, 0.15, 0.3]),
    duplicate: rng.pick([0, 0.05, 0.15]),
    partition: rng.pick([0.2, 0.6, 1.2]),
    crash: rng.pick([0, 0.1, 0.3]),
  };
  const chaosSteps = options.chaosSteps ?? 120 + rng.int(120);
  const drainSteps = options.drainSteps ?? 600;
  log(`seed ${seed}: ${devices.map((d) => d.id).join(' ')}; faults ${JSON.stringify(faults)}`);

  let booted = false;
  const boot = relay.bootstrap().then(() => {
    booted = true;
  });
  for (let i = 0; i < 100 && !booted; i++) {
    await settle();
    const message = net.inFlight[0];
    if (message) await net.deliver(message);
    relay.runFlushes();
  }
  await boot;
  relay.online = true;
  const world: World = { rng, net, relay, devices, faults };
  const guestOrders: string[] = [];

  const io = new DeviceIo({ net, cloud, relay, history, clock, log, guestOrders });

  const execute = async (event: SimEvent) => {
    switch (event.kind) {
      case 'act': {
        const ops = await nextOps(event.device, {
          rng,
          ulid,
          now: clock.now,
          guestOrders,
          madeOps: history.madeOpIds(),
          visible: () => relay.engine.visible,
        });
        for (const op of ops) {
          history.made(event.device, op);
          event.device.outbox.push(op);
          const target = Object.entries(op.payload)
            .filter(([k, v]) => k.endsWith('Id') && typeof v === 'string')
            .map(([k, v]) => `${k}=${String(v).slice(-10)}`);
          log(
            `${event.device.id} makes ${op.type} ${op.opId.slice(-6)} ${target.join(' ')} deps ${op.dependsOn.map((d) => d.slice(-6))}`,
          );
        }
        return;
      }
      case 'send':
        void io.send(event.device);
        return;
      case 'deliver':
        return net.deliver(event.message);
      case 'drop':
        return net.drop(event.message);
      case 'duplicate':
        return net.duplicate(event.message);
      case 'timeout':
        return net.timeout(event.call);
      case 'flush':
        return relay.runFlushes();
      case 'replay':
        void relay.replay();
        return;
      case 'pull':
        void relay.pull();
        return;
      case 'probe':
        relay.online = !net.partitioned.uplink;
        return;
      case 'partition':
        net.partitioned[event.link] = true;
        return;
      case 'heal':
        net.partitioned[event.link] = false;
        return;
      case 'crash':
        return relay.crash();
    }
  };

  let step = 0;
  let drained = false;
  for (; step < chaosSteps + drainSteps; step++) {
    history.step = step;
    const chaos = step < chaosSteps;
    // After the heal, once honest devices' work is done, time passes fast: what is left (a
    // hostile device's ops) may wait out bounded holds. Honest work never waits for that.
    const idle = !chaos && honestDone(world) && relay.pendingFlushes === 0;
    clock.advance(idle ? 600_000 : 1 + rng.int(chaos ? 400 : 1500));
    relay.wake();
    const event = chooseEvent(world, chaos);
    if (event) {
      log(`${step} ${describe(event)}`);
      await execute(event);
    }
    await settle();
    if (!chaos && (await quiet(world, cloud))) {
      drained = true;
      break;
    }
  }
  if (!drained) {
    const pending = relay.store.pendingJournal(5);
    history.violate(
      'liveness: everything drains after the heal',
      `not drained ${drainSteps} steps after the heal: journal pending ${relay.store.journalDepth().pending}` +
        (honestDone(world) ? ' (only the hostile device’s)' : ' (honest ops among them)') +
        (pending[0]
          ? ` (first ${pending[0].op.type} ${pending[0].opId} of ${pending[0].deviceId}, dependsOn ${pending[0].op.dependsOn.join(',') || 'none'})`
          : '') +
        `; queued ${devices
          .filter((d) => d.kind !== 'hostile')
          .map((d) => `${d.id}:${d.outbox.queued}`)
          .join(' ')}` +
        `; hostile ops pending: ${hostileDependencies(history, relay)}`,
    );
  }
  await checkFinal(history, cloud, relay, devices);
  return { seed, violations: history.violations, steps: step, ops: history.ops.size, trace };
}

/** The hostile device's pending ops and who made what they depend on (for the diagnosis). */
function hostileDependencies(history: History, relay: RelayNode): string {
  return relay.store
    .pendingJournal(10_000)
    .filter((r) => history.ops.get(r.opId)?.device.kind === 'hostile')
    .map((r) => {
      const deps = r.op.dependsOn.map((d) => {
        const maker = history.ops.get(d)?.device.id;
        return `${d.slice(-6)} ${maker ? `made by ${maker}` : 'never sent'}`;
      });
      return `${r.opId.slice(-6)} → ${deps.join(', ')}`;
    })
    .join('; ');
}

/** No honest device's op waits in its outbox or in the relay's journal. */
function honestDone(world: World): boolean {
  const hostile = new Set(world.devices.filter((d) => d.kind === 'hostile').map((d) => d.id));
  if (world.devices.some((d) => !hostile.has(d.id) && (d.outbox.queued > 0 || d.outbox.sending)))
    return false;
  return world.relay.store.pendingJournal(10_000).every((r) => hostile.has(r.deviceId));
}

/** Nothing left to do: no honest op waits anywhere, the journal is empty, the relay caught up. */
async function quiet(world: World, cloud: Awaited<ReturnType<typeof makeCloud>>): Promise<boolean> {
  const { relay, devices, net } = world;
  if (relay.pendingFlushes > 0 || relay.replaying || relay.pulling || relay.journalWaits())
    return false;
  if (devices.some((d) => d.kind !== 'hostile' && (d.outbox.queued > 0 || d.outbox.sending)))
    return false;
  if (net.pendingCalls().some((c) => !c.label.startsWith('tablet-x'))) return false;
  return relay.engine.cloudPosition.seq === (await cloud.store.head(VENUE));
}
