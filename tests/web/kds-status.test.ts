import { describe, expect, it } from 'vitest';
import { kdsStatusOf, SILENCE_ALARM_MS } from '../../web/kitchen/kds-status.ts';
import { view } from './kds-fixtures.ts';

// The kitchen display's connection line: where its tickets come from, what waits, and the
// alarm when nothing has been heard for 30 s.

const NOW = Date.parse('2026-11-23T19:30:00.000Z');
const OPENED = NOW - 5 * 60_000;
/** A fixed clock text, so the words do not depend on the machine's time zone. */
const clock = (ms: number) => `@${(NOW - ms) / 1000}s`;

const status = (over: Parameters<typeof view>[0], now = NOW, openedAt = OPENED) =>
  kdsStatusOf(view(over), now, openedAt, clock);

describe('kdsStatusOf', () => {
  it('connected through the relay: live via the venue relay', () => {
    const s = status({ mode: 'connected', target: 'relay', lastSyncAt: NOW - 1_000 });
    expect(s).toEqual({
      tone: 'live',
      headline: 'Live via the venue relay',
      details: [],
      alarm: null,
    });
  });

  it('through the relay with its uplink down: still live here, a warning with the relay’s line', () => {
    const s = status({
      mode: 'connected',
      target: 'relay',
      lastSyncAt: NOW - 1_000,
      relay: {
        uplink: 'offline_local',
        since: NOW - 60_000,
        journalDepth: 3,
        oldestUnsyncedAt: null,
      },
    });
    expect(s.tone).toBe('warn');
    expect(s.headline).toBe('Live via the venue relay');
    expect(s.details).toEqual([
      'Venue relay: offline from cloud since @60s · 3 changes not in the cloud yet',
    ]);
  });

  it('says since when it has been live, when the page knows', () => {
    const live = (target: 'relay' | 'cloud') =>
      kdsStatusOf(view({ target, lastSyncAt: NOW - 1_000 }), NOW, OPENED, clock, NOW - 120_000)
        .headline;
    expect(live('relay')).toBe('Live via the venue relay since @120s');
    expect(live('cloud')).toBe('Live via the cloud since @120s');
  });

  it('connected to the cloud: live via the cloud', () => {
    const s = status({ mode: 'connected', target: 'cloud', lastSyncAt: NOW - 1_000 });
    expect(s).toMatchObject({ tone: 'live', headline: 'Live via the cloud', alarm: null });
  });

  for (const mode of ['offline', 'degraded', 'connecting'] as const) {
    it(`${mode}: the cached copy, since the last update`, () => {
      const s = status({ mode, target: null, lastSyncAt: NOW - 10_000 });
      expect(s).toMatchObject({
        tone: 'warn',
        headline: 'Cached copy — last update @10s',
        alarm: null,
      });
    });
  }

  it('a cached copy that never heard anything says so', () => {
    const s = status({ mode: 'offline', target: null, lastSyncAt: null }, NOW, NOW - 1_000);
    expect(s.headline).toBe('Cached copy — nothing received yet');
  });

  it('replaying: how many of this screen’s actions are sent', () => {
    const base = { mode: 'replaying' as const, lastSyncAt: NOW - 1_000 };
    expect(status({ ...base, replay: { sent: 2, total: 5 } }).headline).toBe(
      'Sending this screen’s actions: 2 of 5',
    );
    expect(status({ ...base, replay: null }).headline).toBe('Sending this screen’s actions…');
    expect(status(base).tone).toBe('warn');
  });

  it('counts the actions waiting and refused, one and many', () => {
    const at = (outboxDepth: number | null, failedOps: number) =>
      status({ lastSyncAt: NOW - 1_000, outboxDepth, failedOps }).details;
    expect(at(null, 0)).toEqual([]);
    expect(at(0, 0)).toEqual([]);
    expect(at(1, 0)).toEqual(['1 action of this screen waiting to send']);
    expect(at(4, 1)).toEqual([
      '4 actions of this screen waiting to send',
      '1 action refused — see the list',
    ]);
    expect(at(0, 2)).toEqual(['2 actions refused — see the list']);
  });

  describe('the silence alarm', () => {
    it('is off at 29.999 s since the last update, on at 30 s', () => {
      const heard = NOW - 60_000;
      const quiet = status({ lastSyncAt: heard }, heard + SILENCE_ALARM_MS - 1);
      expect(quiet.alarm).toBe(null);
      expect(quiet.tone).toBe('live');
      const alarmed = status({ lastSyncAt: heard }, heard + SILENCE_ALARM_MS);
      expect(alarmed.tone).toBe('alarm');
      expect(alarmed.alarm).toBe(
        `NO UPDATES for 30 s (since ${clock(heard)}) — new orders may not be showing. Check the network.`,
      );
      // The headline still says where the copy came from.
      expect(alarmed.headline).toBe('Live via the venue relay');
    });

    it('counts from when the screen opened when it never heard anything', () => {
      const opened = NOW - 10 * 60_000;
      const never = { mode: 'offline' as const, target: null, lastSyncAt: null };
      expect(status(never, opened + SILENCE_ALARM_MS - 1, opened).alarm).toBe(null);
      const s = status(never, opened + SILENCE_ALARM_MS, opened);
      expect(s.tone).toBe('alarm');
      expect(s.alarm).toBe(
        'NO TICKETS RECEIVED for 30 s — this screen may be missing orders. Check the network.',
      );
      expect(status(never, opened + 5 * 60_000, opened).alarm).toMatch(
        /^NO TICKETS RECEIVED for 5 min/,
      );
    });

    it('an update heard after opening resets it, offline or not', () => {
      const s = status(
        { mode: 'offline', target: null, lastSyncAt: NOW - 5_000 },
        NOW,
        NOW - 3_600_000,
      );
      expect(s.alarm).toBe(null);
      expect(s.tone).toBe('warn');
    });
  });
});
