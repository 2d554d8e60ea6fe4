import { RelayConnectivity } from '#protocol';
import { ServerMetrics } from '../../server/metrics.ts';

/** Values read at scrape time from the parts that own them. */
export interface RelayGauges {
  readonly connectivity: RelayConnectivity;
  readonly journalDepth: number;
  readonly oldestUnsyncedAgeSeconds: number;
  readonly connectedDevices: number;
}

const NONE: RelayGauges = {
  connectivity: 'offline_local',
  journalDepth: 0,
  oldestUnsyncedAgeSeconds: 0,
  connectedDevices: 0,
};

/**
 * The relay's metrics: both servers' (requests, live fan-out lag) and the relay's gauges,
 * read once per scrape from what {@link RelayMetrics.readGauges} was given.
 *
 * @example
 * metrics.readGauges(() => ({ connectivity: 'offline_local', journalDepth: 4, … }));
 * const text = await metrics.render();
 */
export class RelayMetrics extends ServerMetrics {
  private read: () => RelayGauges = () => NONE;
  /** This scrape's reading, taken once for all four gauges. */
  private now: RelayGauges = NONE;

  constructor() {
    super();
    this.labelledGauge(
      'hearth_relay_uplink_state',
      'Uplink connectivity state (1 for the current one).',
      'state',
      () =>
        Object.fromEntries(
          RelayConnectivity.options.map((state) => [
            state,
            state === this.now.connectivity ? 1 : 0,
          ]),
        ),
    );
    this.gauge(
      'hearth_relay_journal_depth',
      'Ops journaled at the venue, not yet settled by the cloud.',
      () => this.now.journalDepth,
    );
    this.gauge(
      'hearth_relay_oldest_unsynced_op_age_seconds',
      'Age of the oldest unsettled op.',
      () => this.now.oldestUnsyncedAgeSeconds,
    );
    this.gauge(
      'hearth_relay_connected_devices',
      'Open live sockets on the LAN.',
      () => this.now.connectedDevices,
    );
  }

  /** Where the gauges are read from at each scrape. */
  readGauges(read: () => RelayGauges): void {
    this.read = read;
  }

  override render(): Promise<string> {
    this.now = this.read();
    return super.render();
  }
}
