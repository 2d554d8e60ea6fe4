import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryCloudStore } from './memory-store.ts';
import { runCloudStoreContract } from './store-contract.ts';

runCloudStoreContract('memory', async () => new MemoryCloudStore(), {
  describe,
  it,
  expect,
  beforeEach,
  afterEach,
});
