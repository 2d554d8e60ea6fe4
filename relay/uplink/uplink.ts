import type { ConnectivityTransition, Heartbeat, LanDeviceReport, TokenSigner } from '#protocol';
import type { Logger } from '../../server/logger.ts';
import {
  type ConnectivityConfig,
  type ConnectivityEffect,
  type ConnectivityEvent,
  type ConnectivityState,
  connectivityStep,
  DEFAULT_CONNECTIVITY_CONFIG,
  initialConnectivityState,
  rescueEligible,
} from '../connectivity/connectivity-machine.ts';
import {
  canSend,
  createRescueBudget,
  type RescueBudget,
  spend,
} from '../connectivity/rescue-budget.ts';
import type { RelayIdentity } from '../identity/relay-identity.ts';
import type { RelayStore } from '../store/relay-store.ts';
import type { VenueEngine } from '../sync/venue-engine.ts';
import { CloudClient } from './cloud-client.ts';
import { FeedFollower } from './feed-follower.ts';
import { Reconciler } from './reconciler.ts';
import { Waker } from './sleep.ts';
import type { UplinkGate } from './uplink-gate.ts';

export interface UplinkOptions {
  readonly identity: RelayIdentity;
  readonly engine: VenueEngine;
  readonly store: RelayStore;
  readonly signer: TokenSigner;
  readonly clock: () => Date;
  readonly log: Logger;
  readonly version: string;
  readonly rescueUrl?: string;
  readonly rescueBudgetBytes?: number;
  readonly connectivity?: Partial<ConnectivityConfig>;
  readonly probeIntervalMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly longPollSeconds?: number;
  readonly forwardTimeoutMs?: number;
  readonly connectedDevices?: () => number;
  /** The LAN devices' latest checkpoints, for the heartbeat (the cloud shows them). */
  readonly devices?: () => LanDeviceReport[];
  /** Told of every connectivity transition (the LAN's resilience report records them). */
  readonly onTransition?: (transition: ConnectivityTransition) => void;
}

const HISTORY = 50;

/**
 * The relay's uplink: probes the cloud, runs the connectivity state machine on what it sees,
 * and carries out its effects — follow the feed, replay the journal (over the rescue link when
 * the policy opens it), heartbeat, sync the staff list. It is also the LAN's gate: writes go
 * straight to the cloud only while it is reachable and nothing journaled is waiting.
 */
export class Uplink implements UplinkGate {
  private state: ConnectivityState;
  private readonly config: ConnectivityConfig;
  private readonly history: ConnectivityTransition[] = [];
  private readonly primary: CloudClient;
  private readonly rescue: CloudClient | undefined;
  private budget: RescueBudget;
  private via: 'primary' | 'rescue' = 'primary';
  private readonly follower: FeedFollower;
  private readonly reconciler: Reconciler;
  private readonly waker = new Waker();
  private readonly heartbeatWaker = new Waker();
  private running = false;
  private readonly options: UplinkOptions;

  constructor(options: UplinkOptions) {
    this.options = options;
    const rescueEnabled = options.rescueUrl !== undefined;
    this.config = {
      ...DEFAULT_CONNECTIVITY_CONFIG,
      ...options.connectivity,
      rescue: {
        ...DEFAULT_CONNECTIVITY_CONFIG.rescue,
        ...options.connectivity?.rescue,
        enabled: rescueEnabled && (options.connectivity?.rescue?.enabled ?? true),
      },
    };
    this.budget = createRescueBudget(options.rescueBudgetBytes ?? 5 * 1024 * 1024);
    const base = { credential: options.identity.credential, venueId: options.identity.venueId };
    this.primary = new CloudClient({ ...base, baseUrl: () => options.identity.cloudUrl });
    const rescueUrl = options.rescueUrl;
    this.rescue =
      rescueUrl === undefined
        ? undefined
        : new CloudClient({
            ...base,
            baseUrl: () => rescueUrl,
            onBytes: (bytes) => this.spendRescue(bytes),
          });
    // Start offline until the first probe answers: nothing is forwarded on faith.
    this.state = initialConnectivityState(options.clock().getTime(), {
      status: 'offline_local',
      journalPending: journalWaits(options.store),
    });
    this.follower = new FeedFollower({
      client: this.primary,
      engine: options.engine,
      log: options.log,
      longPollSeconds: options.longPollSeconds ?? 20,
      onNetworkError: (detail) => this.event({ type: 'request_failed', detail }),
      onSuccess: () => {},
    });
    this.reconciler = new Reconciler({
      store: options.store,
      engine: options.engine,
      signer: options.signer,
      clock: options.clock,
      log: options.log,
      client: () => (this.via === 'rescue' && this.rescue ? this.rescue : this.primary),
      feedActive: () => this.via === 'primary' && this.state.status !== 'offline_local',
      mayReplay: (bytes) => this.via === 'primary' || canSend(this.budget, bytes),
      onNetworkError: (detail) => this.event({ type: 'request_failed', detail }),
      onDrained: () => {
        if (this.state.status === 'reconciling') this.event({ type: 'journal_drained' });
      },
    });
  }

  /** Current status, counters, and the recent transitions (oldest first). */
  status(): {
    readonly state: ConnectivityState;
    readonly history: readonly ConnectivityTransition[];
    readonly rescueBytesUsed: number;
  } {
    return {
      state: this.state,
      history: [...this.history],
      rescueBytesUsed: this.budget.usedBytes,
    };
  }

  direct(): boolean {
    const open = this.state.status === 'online' || this.state.status === 'recovered';
    return open && this.options.engine.pendingCount === 0 && !journalWaits(this.options.store);
  }

  async forward(path: string, init: RequestInit): Promise<Response | undefined> {
    try {
      return await this.primary.raw(path, init, this.options.forwardTimeoutMs ?? 5000);
    } catch (error) {
      this.event({
        type: 'request_failed',
        detail: `forward ${path}: ${error instanceof Error ? error.message : String(error)}`,
      });
      return undefined;
    }
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.follower.start();
    this.reconciler.start();
    void this.probeLoop();
    void this.heartbeatLoop();
  }

  stop(): void {
    this.running = false;
    this.follower.stop();
    this.reconciler.stop();
    this.waker.wake();
    this.heartbeatWaker.wake();
  }

  /** Feeds an event to the state machine and carries out what it says. */
  event(event: ConnectivityEvent): void {
    const step = connectivityStep(this.state, event, this.options.clock().getTime(), this.config);
    this.state = step.state;
    if (step.transition) {
      this.history.push(step.transition);
      if (this.history.length > HISTORY) this.history.shift();
      this.options.onTransition?.(step.transition);
      this.options.log('info', 'connectivity', {
        from: step.transition.from,
        to: step.transition.to,
        reason: step.transition.reason,
      });
      // The uplink is back: heartbeat (and sync the staff list for offline sign-in) now, not
      // up to a heartbeat interval later. A relay starts offline, so this is also the first sync.
      const down = (s: string) => s === 'offline_local' || s === 'rescue_uplink';
      if (down(step.transition.from) && !down(step.transition.to)) this.heartbeatWaker.wake();
    }
    for (const effect of step.effects) this.apply(effect);
  }

  private apply(effect: ConnectivityEffect): void {
    switch (effect.kind) {
      case 'start_replay':
        this.via = effect.via;
        this.reconciler.setActive(true);
        return;
      case 'stop_replay':
        this.reconciler.setActive(false);
        return;
      case 'pull_feed':
        this.follower.resume();
        return;
      case 'pause_feed':
        this.follower.pause();
        return;
      case 'open_rescue':
        this.via = 'rescue';
        return;
      case 'close_rescue':
        this.via = 'primary';
        return;
    }
  }

  private spendRescue(bytes: number): void {
    this.budget = canSend(this.budget, bytes)
      ? spend(this.budget, bytes)
      : { ...this.budget, usedBytes: this.budget.budgetBytes };
  }

  private async probeLoop(): Promise<void> {
    const interval = this.options.probeIntervalMs ?? 2000;
    while (this.running) {
      // Known before the probe, so an uplink that comes back goes straight to reconciling.
      if (journalWaits(this.options.store) && !this.state.journalPending)
        this.event({ type: 'journal_pending' });
      try {
        await this.primary.probe();
        this.event({ type: 'probe_ok' });
      } catch (error) {
        this.event({
          type: 'probe_failed',
          detail: error instanceof Error ? error.message : String(error),
        });
      }
      if (
        journalWaits(this.options.store) &&
        (this.state.status === 'online' || this.state.status === 'recovered')
      ) {
        this.event({ type: 'journal_pending' });
      }
      if (this.rescue && rescueEligible(this.state, this.options.clock().getTime(), this.config)) {
        try {
          await this.rescue.probe();
          this.event({ type: 'rescue_ok' });
        } catch (error) {
          this.event({
            type: 'rescue_failed',
            detail: error instanceof Error ? error.message : String(error),
          });
        }
      }
      this.event({ type: 'tick' });
      await this.waker.sleep(interval);
    }
  }

  private async heartbeatLoop(): Promise<void> {
    const interval = this.options.heartbeatIntervalMs ?? 15_000;
    let staffSyncedAt = 0;
    while (this.running) {
      if (this.state.status !== 'offline_local' && this.state.status !== 'rescue_uplink') {
        try {
          if (Date.now() - staffSyncedAt > 5 * 60_000) {
            const { staff } = await this.primary.staff();
            this.options.store.replaceStaff(staff);
            staffSyncedAt = Date.now();
          }
          const depth = this.options.store.journalDepth();
          const body: Heartbeat = {
            version: this.options.version,
            connectivity: this.state.status,
            journalDepth: depth.pending,
            oldestUnsyncedAt: depth.oldestReceivedAt,
            connectedDevices: this.options.connectedDevices?.() ?? 0,
            transitions: this.history.slice(-20),
            devices: this.options.devices?.() ?? [],
          };
          await this.primary.heartbeat(body);
        } catch (error) {
          this.options.log('warn', 'heartbeat failed', {
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      await this.heartbeatWaker.sleep(interval);
    }
  }
}

/**
 * Whether any journaled op still awaits the cloud: the oldest pending record, read by the
 * journal's status index. `journalDepth` counts them all, which grows with the backlog (about
 * 1 ms per probe at 50,000 pending ops, on the event loop) and is kept for metrics and health.
 */
function journalWaits(store: RelayStore): boolean {
  return store.pendingJournal(1).length > 0;
}
