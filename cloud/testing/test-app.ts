import type { Hono } from 'hono';
import { createCursorCodec, type Principal, publicJwkOf, type StaffRole } from '#protocol';
import { FeedBus } from '../../server/feed-bus.ts';
import { type Logger, memoryLogger } from '../../server/logger.ts';
import { ServerMetrics } from '../../server/metrics.ts';
import { createApp } from '../app.ts';
import { type AppDeps, DEFAULT_LIMITS, type Limits } from '../app-deps.ts';
import { DEFAULT_TOKEN_TTL_SECONDS } from '../auth/auth-routes.ts';
import {
  CLOUD_SIGNING_KID,
  type CloudKeys,
  type ImportedCloudKeys,
  importCloudKeys,
} from '../auth/keys.ts';
import { TokenAuthenticator } from '../auth/token-authenticator.ts';
import { checkingDevices } from '../devices/device-check.ts';
import { DeviceRegistry } from '../devices/device-registry.ts';
import { PairingCodes } from '../devices/pairing-codes.ts';
import { DEFAULT_EDGE } from '../edge/edge-routes.ts';
import { createCursorService } from '../feed/cursor-service.ts';
import type { AppEnv } from '../http/caller.ts';
import { DEMO, seedDemo } from '../seed/demo-seed.ts';
import type { CloudStore } from '../store/cloud-store.ts';
import { MemoryCloudStore } from '../store/memory-store.ts';
import { StaticAuthenticator } from './static-authenticator.ts';

export const TEST_NOW = '2026-11-23T19:30:00.000Z';

/** Fixed keys for tests only: the demo seed's PINs are digested with `pinKeyRaw`. */
export const TEST_KEYS: CloudKeys = {
  cursorSecret: new Uint8Array(32).fill(7),
  pinKeyRaw: new Uint8Array(32).fill(3),
  signingJwk: {
    kty: 'EC',
    crv: 'P-256',
    x: 'd2PrIIY_N1gzL2s0rBRUOXRwmsNu9TAJP6RW5l5ER40',
    y: 'wiwl8FGQnYWPpcT4TKcEjJdACGM5lA2MTGbxewag-n4',
    d: '91CXv_tSI4Ws0fAIcxis1TkWG_Sw6y2Fb57JPcOjytE',
  },
  signingKid: 'cloud-1',
};

/** A real token authenticator over `store` with the test keys, for tests about tokens. */
export async function makeTokenAuthenticator(
  store: CloudStore,
  clock: () => Date,
): Promise<TokenAuthenticator> {
  const keys = await importCloudKeys(TEST_KEYS);
  return new TokenAuthenticator({ store, cloudVerifyKey: keys.verifyKey, clock });
}

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
  /** A real TokenAuthenticator over the same store and clock (the app's own with `realTokens`). */
  readonly tokenAuth: TokenAuthenticator;
  /** The imported TEST_KEYS: `keys.signer` signs cloud tokens. */
  readonly keys: ImportedCloudKeys;
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
export async function makeTestApp(
  options: Partial<Omit<AppDeps, 'limits'>> & {
    limits?: Partial<Limits>;
    realTokens?: boolean;
    /** The cloud's public origin (`HEARTH_PUBLIC_ORIGIN`). */
    publicOrigin?: string;
  } = {},
): Promise<TestApp> {
  const { realTokens = false, publicOrigin, ...overrides } = options;
  const clock = new TestClock();
  const store = overrides.store ?? new MemoryCloudStore();
  const keys = await importCloudKeys(TEST_KEYS);
  const pinKey = keys.pinKey;
  const tokenAuth = new TokenAuthenticator({
    store,
    cloudVerifyKey: keys.verifyKey,
    clock: () => deps.clock(),
  });
  if ((await store.getVenue(DEMO.venueId)) === undefined)
    await seedDemo(store, { pinKey, now: TEST_NOW });
  const auth = new StaticAuthenticator();
  const { log, lines } = memoryLogger();
  const bus = overrides.bus ?? new FeedBus();
  const devices = overrides.devices ?? new DeviceRegistry({ store, bus, clock: clock.now });
  const deps: AppDeps = {
    store,
    clock: clock.now,
    version: 'test',
    log: overrides.log ?? (log satisfies Logger),
    devices,
    pairingCodes: new PairingCodes({ cloudVerifyKey: keys.verifyKey, store, clock: clock.now }),
    tokens: { signer: keys.signer, ttlSeconds: DEFAULT_TOKEN_TTL_SECONDS },
    pinKey,
    bus,
    cursors: overrides.cursors ?? createCursorService(await createCursorCodec(keys.cursorSecret)),
    edge: overrides.edge ?? {
      ...DEFAULT_EDGE,
      verificationKeys: [{ kid: CLOUD_SIGNING_KID, jwk: publicJwkOf(TEST_KEYS.signingJwk) }],
    },
    metrics: overrides.metrics ?? new ServerMetrics(),
    ...overrides,
    // Every authenticator is wrapped as main.ts wraps it: a revoked device's tokens fail.
    authenticator: checkingDevices(
      overrides.authenticator ?? (realTokens ? tokenAuth : auth),
      devices,
    ),
    limits: { ...DEFAULT_LIMITS, ...overrides.limits },
  };
  const staff = (role: StaffRole): Principal => ({
    kind: 'staff',
    tenantId: DEMO.tenantId,
    venueId: DEMO.venueId,
    actorId: `demo-${role}`,
    role,
  });
  const header = (principal: Principal) => ({ Authorization: `Bearer ${auth.person(principal)}` });
  return {
    app: createApp({ ...deps, publicOrigin }),
    deps,
    store,
    auth,
    tokenAuth,
    keys,
    clock,
    logLines: lines,
    as: {
      server: header(staff('server')),
      kitchen: header(staff('kitchen')),
      manager: header(staff('manager')),
      owner: header(staff('owner')),
      guest: header({
        kind: 'guest',
        tenantId: DEMO.tenantId,
        venueId: DEMO.venueId,
        sessionId: 'guest-session-1',
        tableId: 'table-1',
      }),
    },
    bearer: header,
  };
}
