import { describe, expect, it } from 'vitest';
import { DeviceCheckpoints } from './feed-routes.ts';

const at = (minute: number) => `2026-11-23T19:${String(minute).padStart(2, '0')}:00.000Z`;

describe('DeviceCheckpoints.reports (what the heartbeat tells the cloud of LAN devices)', () => {
  it('gives each device its lag behind the relay, the most recent last, at most `most`', () => {
    const checkpoints = new DeviceCheckpoints();
    checkpoints.put('tablet-1', {
      seq: 90,
      outboxDepth: 2,
      oldestPendingAt: at(1),
      failedOps: 0,
      updatedAt: at(10),
    });
    checkpoints.put('tablet-2', {
      seq: 100,
      outboxDepth: 0,
      oldestPendingAt: null,
      failedOps: 1,
      updatedAt: at(11),
    });
    // tablet-1 reports again: now the most recent.
    checkpoints.put('tablet-1', {
      seq: 120,
      outboxDepth: 0,
      oldestPendingAt: null,
      failedOps: 0,
      updatedAt: at(12),
    });

    expect(checkpoints.reports(110)).toEqual([
      {
        deviceId: 'tablet-2',
        lag: 10,
        outboxDepth: 0,
        oldestPendingAt: null,
        failedOps: 1,
        updatedAt: at(11),
      },
      // Ahead of the head it was given (a checkpoint newer than the read): not behind.
      {
        deviceId: 'tablet-1',
        lag: 0,
        outboxDepth: 0,
        oldestPendingAt: null,
        failedOps: 0,
        updatedAt: at(12),
      },
    ]);
    expect(checkpoints.reports(110, 1).map((r) => r.deviceId)).toEqual(['tablet-1']);
  });
});
