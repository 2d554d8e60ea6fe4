import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Upper bounds (seconds) of the fan-out lag histogram's buckets: 1 ms to 5 s. */
export const FANOUT_LAG_BUCKETS_SECONDS = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
] as const;

type Labels = Readonly<Record<string, string>>;

/**
 * One server's Prometheus metrics, on its own registry (never prom-client's global one: tests
 * build many apps in one process). Names follow Prometheus conventions — `hearth_` prefix,
 * base units (seconds), counters ending in `_total` — and labels carry routes, methods,
 * statuses and states, never a tenant or venue: `/metrics` tells nothing about anyone's business.
 *
 * @example
 * const metrics = new ServerMetrics();
 * metrics.countRequest('POST', '/v1/venues/:venueId/ops', 202);
 * metrics.gauge('hearth_feed_subscribers', 'Live feed subscribers.', () => bus.subscriberCount());
 * const text = await metrics.render();
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  /** The request counter's child per method, route and status: one map lookup per request. */
  private readonly requestChildren = new Map<string, Counter.Internal>();
  private readonly fanoutLag: Histogram;
  private readonly counters = new Map<string, Counter>();

  constructor() {
    this.requests = new Counter({
      name: 'hearth_http_requests_total',
      help: 'HTTP requests by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.fanoutLag = new Histogram({
      name: 'hearth_live_fanout_lag_seconds',
      help: 'Feed bus publish to live socket send, per pushed frame.',
      buckets: [...FANOUT_LAG_BUCKETS_SECONDS],
      registers: [this.registry],
    });
  }

  /** One answered request; `route` is the pattern that answered (bounded), never the path. */
  countRequest(method: string, route: string, status: number): void {
    const key = `${method} ${status} ${route}`;
    let child = this.requestChildren.get(key);
    if (!child) {
      child = this.requests.labels(method, route, String(status));
      this.requestChildren.set(key, child);
    }
    child.inc();
  }

  /** One pushed live frame: milliseconds from the bus publish to the socket (the live hook). */
  observeFanoutLag(ms: number): void {
    this.fanoutLag.observe(Math.max(0, ms) / 1000);
  }

  /** Adds `by` to a counter (made on first use; `name` must end in `_total`). */
  increment(name: string, help: string, labels: Labels = {}, by = 1): void {
    let counter = this.counters.get(name);
    if (!counter) {
      counter = new Counter({
        name,
        help,
        labelNames: Object.keys(labels),
        registers: [this.registry],
      });
      this.counters.set(name, counter);
    }
    counter.inc(labels, by);
  }

  /** A gauge read when scraped. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** A gauge with one label, each value read when scraped (e.g. 1 for the current state). */
  labelledGauge(
    name: string,
    help: string,
    label: string,
    read: () => Readonly<Record<string, number>>,
  ): void {
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect() {
        for (const [value, n] of Object.entries(read())) this.set({ [label]: value }, n);
      },
    });
  }

  /** The Prometheus text exposition of everything on this registry. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
