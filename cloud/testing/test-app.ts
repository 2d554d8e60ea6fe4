import type { Principal, StaffRole } from '#protocol';
import type { Hono } from 'hono';
import { type AppDeps, DEFAULT_LIMITS, type Limits } from '../app-deps.ts';
import { createApp } from '../app.ts';
import { importPinKey } from '../auth/pin-digest.ts';
import { FeedBus } from '../feed/feed-bus.ts';
import type { AppEnv } from '../http/caller.ts';
import { type Logger, memoryLogger } from '../http/logger.ts';
import type { CloudStore } from '../store/cloud-store.ts';
import { MemoryCloudStore } from '../store/memory-store.ts';
import { DEMO, seedDemo } from '../seed/demo-seed.ts';
import { StaticAuthenticator } from './static-authenticator.ts';

export const TEST_NOW = '2026-11-23T19:30:00.000Z';

/** A clock tests can move. */
export class TestClock {
  private ms: number;
  constructor(iso = TEST_NOW) {
    this.ms = Date.parse(iso);
  }
  readonly now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface TestApp {
  readonly app: Hono<AppEnv>;
  readonly deps: AppDeps;
  readonly store: CloudStore;
  readonly auth: StaticAuthenticator;
  readonly clock: TestClock;
  readonly logLines: { level: string; msg: string; fields: Readonly<Record<string, unknown>> }[];
  /** `Authorization` headers for the demo venue's roles. */
  readonly as: Readonly<Record<StaffRole | 'guest', Record<string, string>>>;
  /** An Authorization header for any principal. */
  bearer(principal: Principal): Record<string, string>;
}

/**
 * The cloud app over the memory store, seeded with the demo venue, with test bearers per role.
 * Override any dependency with `overrides`.
 */
export async function makeTestApp(overrides: Partial<AppDeps> & { limits?: Partial<Limits> } = {}): Promise<TestApp> {
  const clock = new TestClock();
  const store = overrides.store ?? new MemoryCloudStore();
  const pinKey = await importPinKey(new Uint8Array(32).fill(3));
  if ((await store.getVenue(DEMO.venueId)) === undefined) await seedDemo(store, { pinKey, now: TEST_NOW });
  const auth = new StaticAuthenticator();
  const { log, lines } = memoryLogger();
  const deps: AppDeps = {
    store,
    clock: clock.now,
    version: 'test',
    log: overrides.log ?? (log satisfies Logger),
    authenticator: overrides.authenticator ?? auth,
    bus: overrides.bus ?? new FeedBus(),
    ...overrides,
    limits: { ...DEFAULT_LIMITS, ...overrides.limits },
  };
  const staff = (role: StaffRole): Principal => ({ kind: 'staff', tenantId: DEMO.tenantId, venueId: DEMO.venueId, actorId: `demo-${role}`, role });
  const header = (principal: Principal) => ({ Authorization: `Bearer ${auth.person(principal)}` });
  return {
    app: createApp(deps),
    deps,
    store,
    auth,
    clock,
    logLines: lines,
    as: {
      server: header(staff('server')),
      kitchen: header(staff('kitchen')),
      manager: header(staff('manager')),
      owner: header(staff('owner')),
      guest: header({ kind: 'guest', tenantId: DEMO.tenantId, venueId: DEMO.venueId, sessionId: 'guest-session-1', tableId: 'table-1' }),
    },
    bearer: header,
  };
}
