import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryRelayStore } from './memory-relay-store.ts';
import { runRelayStoreContract } from './relay-store-contract.ts';

runRelayStoreContract('memory', () => new MemoryRelayStore(), {
  describe,
  it,
  expect,
  beforeEach,
  afterEach,
});
