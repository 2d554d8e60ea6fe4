import { Hono } from 'hono';
import type { LanAuthenticator, LanCaller, LanEnv } from '../../relay/lan/lan-caller.ts';
import { registerLanOpsRoutes } from '../../relay/lan/ops-routes.ts';
import { MemoryRelayStore } from '../../relay/store/memory-relay-store.ts';
import { RelayBus } from '../../relay/sync/feed-bus.ts';
import { VenueEngine } from '../../relay/sync/venue-engine.ts';
import { type CloudClient, UplinkError } from '../../relay/uplink/cloud-client.ts';
import { FeedFollower } from '../../relay/uplink/feed-follower.ts';
import { Reconciler, type ReconcilerDeps } from '../../relay/uplink/reconciler.ts';
import type { UplinkGate } from '../../relay/uplink/uplink-gate.ts';
import { type CloudNode, TENANT, VENUE } from './cloud-node.ts';
import type { Network } from './network.ts';
import { describeVerdicts, never, replayAnswer, simSigner, uplinkClient } from './relay-uplink.ts';
import type { SimClock } from './sim-clock.ts';

export interface RelayNodeDeps {
  readonly net: Network;
  readonly cloud: CloudNode;
  readonly clock: SimClock;
  /** Bearer → LAN caller: the devices signed in on the LAN. */
  readonly callers: ReadonlyMap<string, LanCaller>;
  readonly trace: (line: string) => void;
  readonly fault: (what: string) => void;
}

/** One relay process: what lives in memory dies with a crash; `store` plays the disk. */
interface Process {
  readonly gen: number;
  readonly engine: VenueEngine;
  readonly app: Hono<LanEnv>;
  readonly reconciler: Reconciler;
  readonly follower: FeedFollower;
  /** The same follower's work over a link that cannot fail: the feed catching up in time. */
  readonly catchUp: FeedFollower;
}

/**
 * The venue relay with its real parts: the engine over a memory store, the LAN ops routes, the
 * reconciler and the feed follower, all on the sim clock and the sim network. The engine's
 * end-of-tick flush is queued for the scheduler; a crash drops the process (and its staged
 * tick) and a new one starts from the store.
 */
export class RelayNode {
  readonly store = new MemoryRelayStore();
  /** What the relay believes of its uplink (probes and failed requests move it). */
  online = false;
  replaying = false;
  pulling = false;
  /**
   * Whether the feed follower runs beside a replay, as in the relay. Only where the reconciler
   * waits for the feed on the sim clock (its `sleep` seam); otherwise (its wait polls real
   * timers) the feed catches up within the replay's answer and pulls wait for the replay.
   */
  readonly feedConcurrent = Reflect.has(Reconciler.prototype, 'sleep');
  private flushes: (() => void)[] = [];
  private process!: Process;
  private gen = 0;
  private readonly deps: RelayNodeDeps;

  constructor(deps: RelayNodeDeps) {
    this.deps = deps;
    // A fixed LAN epoch, so the engine draws no random one.
    this.store.commit({ epoch: 1 });
    this.start();
  }

  get engine(): VenueEngine {
    return this.process.engine;
  }

  get pendingFlushes(): number {
    return this.flushes.length;
  }

  journalWaits(): boolean {
    return this.store.pendingJournal(1).length > 0;
  }

  /** The process dies (memory and the unflushed tick lost) and starts again from the store. */
  crash(): void {
    this.deps.trace(`relay crash (gen ${this.gen}, ${this.flushes.length} unflushed)`);
    this.flushes = [];
    this.online = false;
    this.replaying = false;
    this.pulling = false;
    this.start();
  }

  runFlushes(): void {
    const flushes = this.flushes;
    this.flushes = [];
    for (const flush of flushes) flush();
  }

  /** A device's request reaching the relay's LAN app (whichever process runs now). */
  serveLan(path: string, init: RequestInit): { response: Promise<Response>; alive: () => boolean } {
    const { gen, app } = this.process;
    const alive = () => this.gen === gen;
    return {
      response: Promise.resolve(app.request(path, init)).then((r) => (alive() ? r : never())),
      alive,
    };
  }

  async bootstrap(): Promise<void> {
    await this.process.catchUp.bootstrap();
  }

  /** One feed page from the stored cursor, over the uplink. */
  async pull(): Promise<void> {
    const { follower, gen } = this.process;
    this.pulling = true;
    try {
      await follower.pullOnce(0);
    } catch (error) {
      if (this.gen !== gen) return;
      if (
        error instanceof UplinkError &&
        error.kind === 'http' &&
        [409, 410].includes(error.status)
      )
        await follower.bootstrap().catch(() => {});
      else this.uplinkFailed(error);
    } finally {
      if (this.gen === gen) this.pulling = false;
    }
  }

  /**
   * The reconciler's loop, driven through its public replayOnce: batch after batch while there is
   * more to send (its waits for a device apply between them), at most `rounds` per task so the
   * feed follower gets its turn.
   */
  async replay(rounds = 4): Promise<void> {
    const { reconciler, gen } = this.process;
    this.replaying = true;
    try {
      for (let i = 0; i < rounds && this.gen === gen; i++)
        if (!(await reconciler.replayOnce())) break;
    } catch (error) {
      if (this.gen === gen) this.uplinkFailed(error);
    } finally {
      if (this.gen === gen) this.replaying = false;
    }
  }

  /** Wakes a reconciler that sleeps on its own timer (a retryable answer) before the next step. */
  wake(): void {
    this.process.reconciler.setActive(true);
  }

  private uplinkFailed(error: unknown): void {
    if (error instanceof UplinkError && error.kind === 'network') {
      this.online = false;
      return;
    }
    this.deps.fault(`relay uplink call failed: ${error instanceof Error ? error.message : error}`);
  }

  private start(): void {
    const gen = ++this.gen;
    const { net, cloud, clock } = this.deps;
    const alive = () => this.gen === gen;
    const engine = new VenueEngine({
      store: this.store,
      bus: new RelayBus(),
      clock: clock.now,
      tenantId: TENANT,
      venueId: VENUE,
      onFatal: (error) => this.deps.fault(`relay commit failed: ${String(error)}`),
      schedule: (flush) => {
        if (alive()) this.flushes.push(flush);
      },
    });
    const client = (label: string, onAnswer?: (r: Response) => Promise<void>, reliable = false) =>
      uplinkClient({ net, cloud, alive, label, reliable, ...(onAnswer ? { onAnswer } : {}) });
    const log = (level: string, msg: string, fields?: Readonly<Record<string, unknown>>) => {
      if (level === 'error') this.deps.trace(`relay log error: ${msg} ${JSON.stringify(fields)}`);
    };
    const followerOf = (c: CloudClient) =>
      new FeedFollower({
        client: c,
        engine,
        log,
        longPollSeconds: 0,
        onNetworkError: () => {
          this.online = false;
        },
        onSuccess: () => {},
      });
    const catchUp = followerOf(client('catch-up', undefined, true));
    // Before the reconciler reads a replay's verdicts, the feed has brought the cloud's entries
    // for them (the follower keeps up), so its bounded wait for the feed never waits.
    const caughtUp = async (response: Response) => {
      const { results, highest } = await replayAnswer(response);
      if (!response.ok) return;
      this.deps.trace(`replay verdicts: ${describeVerdicts(results)}`);
      if (this.feedConcurrent) {
        if (engine.cloudPosition.seq < highest)
          this.deps.trace(`feed behind the verdicts: at ${engine.cloudPosition.seq} of ${highest}`);
        return;
      }
      for (let i = 0; i < 100 && alive() && engine.cloudPosition.seq < highest; i++)
        await catchUp.pullOnce(0);
      this.deps.trace(`caught up to ${engine.cloudPosition.seq} (applied up to ${highest})`);
    };
    const reconcilerDeps = {
      store: this.store,
      engine,
      signer: simSigner(cloud),
      clock: clock.now,
      log,
      client: () => replayClient,
      feedActive: () => true,
      mayReplay: () => true,
      onNetworkError: () => {
        this.online = false;
      },
      onDrained: () => {},
      // Seams the reconciler may take (ignored where it does not): simulated sleep and time.
      sleep: clock.sleep,
      now: clock.nowMs,
    };
    const replayClient = client('replay', caughtUp);
    const gateClient = client('forward');
    const gate: UplinkGate = {
      direct: () => this.online && engine.pendingCount === 0 && !this.journalWaits(),
      forward: async (path, init) => {
        try {
          return await gateClient.raw(path, init);
        } catch {
          if (alive()) this.online = false;
          return undefined;
        }
      },
    };
    const authenticator: LanAuthenticator = {
      authenticate: async (request) => {
        const token = request.headers.get('authorization')?.replace(/^Bearer\s+/i, '') ?? '';
        const caller = this.deps.callers.get(token);
        return caller ? { ok: true, caller } : undefined;
      },
    };
    const app = new Hono<LanEnv>();
    registerLanOpsRoutes(app, { engine, store: this.store, gate, authenticator, maxBatchOps: 100 });
    app.onError((error) => {
      if (alive()) this.deps.fault(`relay LAN app threw: ${error.message}`);
      return new Response('internal', { status: 500 });
    });
    this.process = {
      gen,
      engine,
      app,
      reconciler: new Reconciler(reconcilerDeps as ReconcilerDeps),
      follower: followerOf(client('feed')),
      catchUp,
    };
  }
}
