import type { Hono } from 'hono';
import {
  emptyEntitySet,
  type OpResult,
  type Principal,
  projectRecords,
  type SnapshotRecord,
  type VenueState,
} from '#protocol';
import type { AppEnv } from '../../cloud/http/caller.ts';
import { DEMO } from '../../cloud/seed/demo-seed.ts';
import type { CloudStore } from '../../cloud/store/cloud-store.ts';
import type { StaticAuthenticator } from '../../cloud/testing/static-authenticator.ts';
import { makeTestApp } from '../../cloud/testing/test-app.ts';
import type { SimClock } from './sim-clock.ts';

export const TENANT = DEMO.tenantId;
export const VENUE = DEMO.venueId;
export const RELAY_NODE = 'relay-1';

/** The real cloud app (createApp over the memory store, demo venue seeded) on the sim clock. */
export interface CloudNode {
  readonly app: Hono<AppEnv>;
  readonly store: CloudStore;
  readonly auth: StaticAuthenticator;
  /** The relay's credential (a bearer the static authenticator maps to the enrolled node). */
  readonly relayCredential: string;
  /** A bearer for a person (a fresh one each call, as tokens are). */
  bearer(principal: Principal): string;
  /** The cloud's current venue state and stream head. */
  state(): Promise<{ seq: number; state: VenueState; records: SnapshotRecord[] }>;
  /** The cloud's idempotency record of an op: its one recorded result. */
  recorded(opId: string): Promise<OpResult | undefined>;
}

export async function makeCloud(clock: SimClock): Promise<CloudNode> {
  const test = await makeTestApp({
    clock: clock.now,
    limits: {
      callerOpsPerSecond: 1_000_000,
      callerBurst: 1_000_000,
      tenantRequestsPerSecond: 1_000_000,
      tenantBurst: 1_000_000,
    },
  });
  const { store, auth } = test;
  return {
    app: test.app,
    store,
    auth,
    relayCredential: auth.relay(RELAY_NODE, TENANT, VENUE),
    bearer: (principal) => auth.person(principal),
    async state() {
      const { seq, records } = await store.loadSnapshot(VENUE);
      return {
        seq,
        records,
        state: {
          tenantId: TENANT,
          venueId: VENUE,
          entities: projectRecords(emptyEntitySet(), records),
        },
      };
    },
    async recorded(opId) {
      return (await store.getIdempotency(TENANT, opId))?.result;
    },
  };
}
