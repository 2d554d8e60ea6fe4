import { describe, expect, it } from 'vitest';
import { ServerMetrics } from './metrics.ts';

const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('ServerMetrics', () => {
  it('counts requests by method, route pattern and status', async () => {
    const m = new ServerMetrics();
    m.countRequest('GET', '/healthz', 200);
    m.countRequest('GET', '/healthz', 200);
    m.countRequest('POST', '/v1/venues/:venueId/ops', 202);
    const text = await m.render();
    expect(text).toContain('# TYPE hearth_http_requests_total counter');
    expect(
      sample(text, 'hearth_http_requests_total{method="GET",route="/healthz",status="200"}'),
    ).toBe(2);
    expect(
      sample(
        text,
        'hearth_http_requests_total{method="POST",route="/v1/venues/:venueId/ops",status="202"}',
      ),
    ).toBe(1);
  });

  it('keeps the fan-out lag in seconds, given milliseconds', async () => {
    const m = new ServerMetrics();
    m.observeFanoutLag(3);
    m.observeFanoutLag(-1);
    const text = await m.render();
    expect(text).toContain('# TYPE hearth_live_fanout_lag_seconds histogram');
    expect(sample(text, 'hearth_live_fanout_lag_seconds_count')).toBe(2);
    expect(sample(text, 'hearth_live_fanout_lag_seconds_sum')).toBeCloseTo(0.003);
    expect(sample(text, 'hearth_live_fanout_lag_seconds_bucket{le="0.001"}')).toBe(1);
    expect(sample(text, 'hearth_live_fanout_lag_seconds_bucket{le="0.005"}')).toBe(2);
  });

  it('reads gauges when scraped, and adds to named counters', async () => {
    const m = new ServerMetrics();
    let subscribers = 1;
    m.gauge('hearth_feed_subscribers', 'Live feed subscribers.', () => subscribers);
    m.labelledGauge('hearth_test_state', 'A state.', 'state', () => ({ up: 1, down: 0 }));
    m.increment('hearth_ops_total', 'Ops.', { lane: 'batch', result: 'applied' }, 3);
    m.increment('hearth_ops_total', 'Ops.', { lane: 'batch', result: 'applied' });
    expect(sample(await m.render(), 'hearth_feed_subscribers')).toBe(1);
    subscribers = 4;
    const text = await m.render();
    expect(sample(text, 'hearth_feed_subscribers')).toBe(4);
    expect(sample(text, 'hearth_test_state{state="up"}')).toBe(1);
    expect(sample(text, 'hearth_test_state{state="down"}')).toBe(0);
    expect(sample(text, 'hearth_ops_total{lane="batch",result="applied"}')).toBe(4);
  });

  it('keeps each instance’s metrics apart (no global registry)', async () => {
    const a = new ServerMetrics();
    const b = new ServerMetrics();
    a.countRequest('GET', '/healthz', 200);
    b.gauge('hearth_feed_subscribers', 'Live feed subscribers.', () => 0);
    expect(await b.render()).not.toContain('route="/healthz"');
    expect(await a.render()).not.toContain('hearth_feed_subscribers');
  });

  it('names every series after Prometheus conventions: base units, counters in _total', async () => {
    const m = new ServerMetrics();
    m.countRequest('GET', '/healthz', 200);
    const text = await m.render();
    for (const [, name, type] of text.matchAll(/^# TYPE (\w+) (\w+)$/gm)) {
      expect(name).toMatch(/^hearth_/);
      expect(name).not.toMatch(/_ms$|_milliseconds$/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
    }
  });
});
