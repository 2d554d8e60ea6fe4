import { describe, expect, it } from 'vitest';
import {
  ageWords,
  chartDataOf,
  chartSummaryOf,
  connectivityOf,
  DEVICE_STALE_MS,
  deviceRowsOf,
  journalOf,
  nodeRowsOf,
  stateWords,
} from '../../web/floor/resilience-view-state.ts';
import { eveningReport, iso, MIN, T0, utcClock } from './resilience-fixtures.ts';

// The manager's resilience view, pure: the connection in words, the journal, relays and devices
// (stale ones flagged, troubled devices first), and the chart's columns and summary.

describe('connectivity', () => {
  it('now in words with since and for how long; history newest first with durations', () => {
    const view = connectivityOf(eveningReport(), T0, utcClock);
    expect(view.headline).toBe('Offline from the cloud since 19:40 (20 min)');
    expect(view.trouble).toBe(true);
    expect(view.history.map((r) => [r.atText, r.text, r.forText, r.trouble])).toEqual([
      ['19:40', 'Offline from the cloud', 'now (20 min)', true],
      ['19:35', 'Connection to the cloud unreliable', '5 min', true],
      ['17:00', 'Online with the cloud', '2 h', false],
    ]);
  });

  it('no connectivity (an older cloud): no headline, no history', () => {
    const { connectivity: _c, ...old } = eveningReport();
    expect(connectivityOf(old, T0, utcClock)).toEqual({
      headline: null,
      trouble: false,
      history: [],
    });
  });

  it('unknown states are still readable; ages under a minute are "just now"', () => {
    expect(stateWords('rescue_uplink')).toBe('Reaching the cloud over the backup connection');
    expect(stateWords('some_new_state')).toBe('Some new state');
    expect(ageWords(30_000)).toBe('just now');
    expect(ageWords(12 * MIN)).toBe('12 min');
  });
});

describe('journal, relays and devices', () => {
  it('the journal: head and what the relays hold that the cloud lacks', () => {
    const journal = journalOf(eveningReport(), T0, utcClock);
    expect(journal.head).toBe(1234);
    expect(journal.notInCloud).toBe(12);
    expect(journal.summary).toBe('12 changes not in the cloud yet, oldest from 19:42 (18 min)');
    expect(journal.reportAtText).toBe('just now');
    const clear = eveningReport({ nodes: [] });
    expect(journalOf(clear, T0, utcClock).summary).toBe('All the venue’s changes are in the cloud');
  });

  it('relays: acked cursor, lag in words, last heard; an active one silent for a minute is flagged', () => {
    const [office, terrace] = nodeRowsOf(eveningReport(), T0, utcClock);
    expect(office).toMatchObject({
      name: 'Back office',
      statusText: 'Active',
      ackedSeq: 1220,
      lagText: '14 entries behind',
      lastSeenText: 'just now',
      uplinkText: 'Offline from the cloud',
      notInCloud: 12,
      stale: false,
    });
    expect(terrace).toMatchObject({
      lastSeenText: '19:30 (30 min ago)',
      uplinkText: 'No report yet',
      stale: true,
    });
    const removed = eveningReport();
    const node = removed.nodes[1];
    if (node) node.status = 'revoked';
    expect(nodeRowsOf(removed, T0, utcClock)[1]?.stale).toBe(false);
  });

  it('devices: names, via, depth, oldest age, failures; stale and troubled first', () => {
    const names = new Map([['dev-floor-phone-0002', 'Sam’s phone']]);
    const rows = deviceRowsOf(eveningReport(), T0, names, utcClock);
    expect(rows.map((r) => [r.name, r.attention, r.stale])).toEqual([
      ['Sam’s phone', true, false],
      ['Device …0003', true, true],
      ['Device …0001', false, false],
    ]);
    expect(rows[0]).toMatchObject({
      viaText: 'Relay Back office',
      outboxDepth: 5,
      oldestText: '12 min',
      failedOps: 2,
      lastHeardText: 'just now',
    });
    expect(rows[1]).toMatchObject({ viaText: 'Cloud', lastHeardText: '19:20 (40 min ago)' });
    expect(rows[2]?.oldestText).toBe('—');
  });

  it('a device is stale past DEVICE_STALE_MS without a checkpoint', () => {
    const report = eveningReport();
    const device = report.devices[0];
    if (device) device.updatedAt = iso(T0 - DEVICE_STALE_MS - 1);
    expect(deviceRowsOf(report, T0).find((r) => r.deviceId === device?.deviceId)?.stale).toBe(true);
  });
});

describe('chart', () => {
  it('columns of the last 3 hours in seconds, oldest first, and replaying stretches', () => {
    const samples = eveningReport().samples ?? [];
    const old = { at: iso(T0 - 4 * 60 * MIN), outboxDepth: 9, journalDepth: 9, replaying: false };
    const data = chartDataOf([...samples].reverse().concat(old), T0);
    expect(data.xs).toHaveLength(60);
    expect(data.xs[0]).toBe((T0 - 60 * MIN) / 1000);
    expect(Math.max(...data.outbox)).toBe(42);
    // Replaying 19:49–19:52: the stretch covers its last minute, to 19:53.
    expect(data.replaying).toEqual([[(T0 - 11 * MIN) / 1000, (T0 - 7 * MIN) / 1000]]);
  });

  it('a replay still under way at the last sample ends there; separate stretches stay apart', () => {
    const s = (m: number, replaying: boolean) => ({
      at: iso(T0 - (10 - m) * MIN),
      outboxDepth: 1,
      journalDepth: 0,
      replaying,
    });
    const data = chartDataOf([s(0, true), s(1, false), s(2, true), s(3, true)], T0);
    const x = (m: number) => (T0 - (10 - m) * MIN) / 1000;
    expect(data.replaying).toEqual([
      [x(0), x(1)],
      [x(2), x(3)],
    ]);
  });

  it('the summary: peak and when, back to 0 or still waiting, and the replays', () => {
    const data = chartDataOf(eveningReport().samples, T0);
    expect(chartSummaryOf(data, utcClock)).toBe(
      'Ops waiting on devices: peak 42 at 19:48; back to 0 at 19:53. ' +
        'Changes not in the cloud: peak 12 at 19:40; back to 0 at 19:50. ' +
        'Sending queued changes: 19:49–19:53.',
    );
    const waiting = chartDataOf(
      [
        { at: iso(T0 - 2 * MIN), outboxDepth: 4, journalDepth: 0, replaying: false },
        { at: iso(T0 - MIN), outboxDepth: 3, journalDepth: 0, replaying: false },
      ],
      T0,
    );
    expect(chartSummaryOf(waiting, utcClock)).toBe(
      'Ops waiting on devices: peak 4 at 19:58; 3 still waiting. ' +
        'Changes not in the cloud: none waiting. No replay in this time.',
    );
    expect(chartSummaryOf(chartDataOf([], T0), utcClock)).toBe(
      'No samples from the last 3 hours yet.',
    );
  });
});
