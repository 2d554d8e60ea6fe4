import { RelayConnectivity } from '#protocol';

/** Values read at scrape time from the parts that own them. */
export interface RelayGauges {
  readonly connectivity: RelayConnectivity;
  readonly journalDepth: number;
  readonly oldestUnsyncedAgeSeconds: number;
  readonly connectedDevices: number;
}

/** Upper bounds (ms) of the fan-out lag histogram's buckets. */
export const FANOUT_LAG_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] as const;

/**
 * The relay's Prometheus metrics: request counts and the fan-out lag histogram are recorded
 * here; gauges are passed in when rendering. Labels carry routes and states, never ids.
 *
 * @example
 * metrics.countRequest('/v1/venues/:venueId/ops', 202);
 * metrics.observeFanoutLag(3.2);
 * const text = metrics.render({ connectivity: 'offline_local', journalDepth: 4, … });
 */
export class RelayMetrics {
  private readonly requests = new Map<string, number>();
  private readonly lagBuckets: number[] = FANOUT_LAG_BUCKETS_MS.map(() => 0);
  private lagSum = 0;
  private lagCount = 0;

  countRequest(route: string, status: number): void {
    const key = labels({ route, status: String(status) });
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  /** One pushed frame: how long from the bus publish to handing it to the socket. */
  observeFanoutLag(ms: number): void {
    const value = Math.max(0, ms);
    for (const [i, bound] of FANOUT_LAG_BUCKETS_MS.entries()) {
      if (value <= bound) this.lagBuckets[i] = (this.lagBuckets[i] ?? 0) + 1;
    }
    this.lagSum += value;
    this.lagCount += 1;
  }

  render(gauges: RelayGauges): string {
    const lines: string[] = [];
    const head = (name: string, type: string, help: string): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };
    head('relay_uplink_state', 'gauge', 'Uplink connectivity state (1 for the current one).');
    for (const state of RelayConnectivity.options) {
      const value = state === gauges.connectivity ? 1 : 0;
      lines.push(`relay_uplink_state${labels({ state })} ${value}`);
    }
    head(
      'relay_journal_depth',
      'gauge',
      'Ops journaled at the venue, not yet settled by the cloud.',
    );
    lines.push(`relay_journal_depth ${gauges.journalDepth}`);
    head('relay_oldest_unsynced_op_age_seconds', 'gauge', 'Age of the oldest unsettled op.');
    lines.push(`relay_oldest_unsynced_op_age_seconds ${gauges.oldestUnsyncedAgeSeconds}`);
    head('relay_connected_devices', 'gauge', 'Open live sockets on the LAN.');
    lines.push(`relay_connected_devices ${gauges.connectedDevices}`);
    head('relay_fanout_lag_ms', 'histogram', 'Bus publish to socket send, per pushed frame.');
    for (const [i, bound] of FANOUT_LAG_BUCKETS_MS.entries()) {
      lines.push(
        `relay_fanout_lag_ms_bucket${labels({ le: String(bound) })} ${this.lagBuckets[i]}`,
      );
    }
    lines.push(
      `relay_fanout_lag_ms_bucket{le="+Inf"} ${this.lagCount}`,
      `relay_fanout_lag_ms_sum ${Math.round(this.lagSum * 1000) / 1000}`,
      `relay_fanout_lag_ms_count ${this.lagCount}`,
    );
    head('relay_http_requests_total', 'counter', 'LAN HTTP requests by route and status.');
    for (const [key, value] of [...this.requests].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`relay_http_requests_total${key} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function labels(values: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(values)
    .sort()
    .map(
      (k) =>
        `${k}="${String(values[k]).replace(/[\\"\n]/g, (ch) => (ch === '\n' ? '\\n' : `\\${ch}`))}"`,
    );
  return `{${pairs.join(',')}}`;
}
