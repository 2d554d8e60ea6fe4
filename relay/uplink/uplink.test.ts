import { describe, expect, it, vi } from 'vitest';
import type { ConnectivityTransition } from '#protocol';
import { silentLogger } from '../../server/logger.ts';
import { NOW, opOf, staff } from '../../tests/protocol/support/venue-fixture.ts';
import { MemoryRelayStore } from '../store/memory-relay-store.ts';
import { RelayBus } from '../sync/feed-bus.ts';
import { bootstrappedEngine, testRelayKeys } from '../testing/lan-fixture.ts';
import { Uplink } from './uplink.ts';

/** A memory store that counts how often the whole journal is counted. */
class CountingStore extends MemoryRelayStore {
  depthReads = 0;
  override journalDepth() {
    this.depthReads++;
    return super.journalDepth();
  }
}

describe('Uplink probe loop', () => {
  it('learns that journaled ops wait from the oldest one, without counting the journal', async () => {
    const { identity, signer } = await testRelayKeys;
    const store = new CountingStore();
    const clock = () => new Date(NOW);
    const engine = await bootstrappedEngine(store, new RelayBus(), clock);
    const uplink = new Uplink({
      // Nothing listens there: every probe fails at once and the relay stays offline_local.
      identity: { ...identity, cloudUrl: 'http://127.0.0.1:9' },
      engine,
      store,
      signer,
      clock,
      log: silentLogger,
      version: 'test',
      probeIntervalMs: 5,
    });
    expect(uplink.status().state.journalPending).toBe(false);
    const op = await opOf('order.create', { orderId: 'o-1', tableId: 'table-1' }, staff('server'));
    await engine.submitLocal(op, staff('server'));
    expect(store.pendingJournal(10)).toHaveLength(1);

    await uplink.start();
    try {
      await vi.waitFor(() => expect(uplink.status().state.journalPending).toBe(true), {
        timeout: 4_000,
      });
      expect(uplink.status().state.status).toBe('offline_local');
      expect(store.depthReads).toBe(0);
    } finally {
      uplink.stop();
    }
  });
});

describe('Uplink transitions', () => {
  it('tells onTransition of every transition it records, as it records it', async () => {
    const { identity, signer } = await testRelayKeys;
    const store = new MemoryRelayStore();
    const clock = () => new Date(NOW);
    const engine = await bootstrappedEngine(store, new RelayBus(), clock);
    const told: ConnectivityTransition[] = [];
    const uplink = new Uplink({
      identity,
      engine,
      store,
      signer,
      clock,
      log: silentLogger,
      version: 'test',
      onTransition: (transition) => told.push(transition),
    });
    // Not started: the events are fed by hand. Two good probes bring it out of offline_local.
    uplink.event({ type: 'probe_ok' });
    uplink.event({ type: 'probe_ok' });
    uplink.event({ type: 'probe_failed', detail: 'gone' });
    expect(told.length).toBeGreaterThanOrEqual(2);
    expect(told[0]?.from).toBe('offline_local');
    expect(told).toEqual(uplink.status().history);
    expect(told.at(-1)?.to).toBe(uplink.status().state.status);
  });
});
