import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type AnyEntity,
  type EntitySet,
  emptyEntitySet,
  getEntity,
  listEntities,
  newUlid,
  type Order,
  type PaymentRecord,
  project,
  projectRecords,
  type Snapshot,
} from '#protocol';
import { TEST_CARD_NUMBERS_FOR_TESTS } from '../../server/payments/processor-core.ts';
import { scanStores } from '../support/card-scan.ts';
import { dumpBrowserStorage } from '../support/card-scan-browser.ts';
import {
  type ProcessorProcess,
  startProcessor,
  stopAllProcessors,
} from '../support/processor-process.ts';
import type { PairedDevice } from './support/cloud-client.ts';
import { showView, signIn as signInOnPage } from './support/floor-steps.ts';
import {
  bigCheckLines,
  type CardAnswer,
  type CardAttempt,
  checkLines,
  claimsOf,
  entriesOf,
  filesUnder,
  takeCard,
  tipOf,
  upsertsOf,
} from './support/payments-drill.ts';
import { type PgCloudSetup, postgresSkipReason, preparePgCloud } from './support/pg-cloud.ts';
import {
  call,
  describeHttp,
  getJson,
  giveDeviceCookie,
  json,
  LiveClient,
  PINS,
  pairAtRelay,
  signIn,
  type VenueHarness,
  venueHarness,
  venueOp,
  venuePath,
} from './support/relay-process.ts';
import {
  BUILD_TIMEOUT_MS,
  buildWeb,
  CHROMIUM,
  CHROMIUM_ARGS,
  WEB_DIST,
  webDistIsStale,
} from './support/web-build.ts';

// The evening payment peak with the internet down, with real processes: the test card
// processor, the cloud (its webhook target) and the venue relay behind the fault proxy.
//
//   tills ──▶ relay ──▶ fault proxy ──▶ cloud ◀── processor events
//               └──────▶ processor (its own link to the card networks scripted down)
//
// 1. Online: three paired tills open 32 checks through the relay.
// 2. The uplink cut and the processor's network down: a few ordinary ops first, then 30 card
//    payments within the offline limits, each stored by the processor; 300.00 by a server is
//    refused (nothing charged), the same by a manager is stored with their approval.
// 3. The uplink back: the relay replays the payments before the ops journaled ahead of them;
//    every payment is in the cloud once and charged once.
// 4. The processor's network back: it forwards, 30 are authorised later and one is declined
//    later: its check is reopened and a manager's task opens, the same at the cloud, the relay
//    and a till; the manager's inbox on the floor app shows it.
// 5. No card number anywhere Hearth keeps, logs or reports anything: the relay's SQLite, the
//    cloud's PostgreSQL schema, their logs, metrics and health, the browser's storage.
//
// The cloud runs on PostgreSQL (a fresh schema); unreachable, the drill is skipped here with
// the reason and fails under CI, as every PostgreSQL end-to-end test.

const STEP_TIMEOUT_MS = 20_000;
/** The demo venue's offline card limits (cloud/seed/demo-seed.ts: the defaults, in EUR cents). */
const LIMITS = { perTransaction: 20_000, perDevice: 250_000, perVenue: 500_000 } as const;
const TILLS = 3;
const PAYMENTS = 30;

const skipReason = await postgresSkipReason();
const suite = skipReason === undefined ? describe : describe.skip;

interface Till {
  readonly device: PairedDevice;
  readonly server: string;
}

interface Check {
  readonly orderId: string;
  readonly tableId: string;
  total: number;
}

let processor: ProcessorProcess;
/** The cloud's PostgreSQL schema, and where its keys file is kept. */
let pg: PgCloudSetup | undefined;
const pgRoot = mkdtempSync(join(tmpdir(), 'hearth-e2e-payments-pg-'));
let h: VenueHarness;
let browser: Browser | undefined;
const tills: Till[] = [];
/** The 30 checks the servers take cards for, and the 300.00 one for the manager. */
const checks: Check[] = [];
let bigCheck: Check;
/** A sent check whose ticket the kitchen moves while offline (no payment on it). */
let spareTicketId = '';
const taken: CardAttempt[] = [];
let managerPayment: CardAttempt;
let managerActor = '';
let refusedId = '';
let declinedId = '';
/** The declined payment's table as the floor names it ("Table 7"). */
let declinedTable = '';
/** Ordinary (non-payment) ops made offline before the payments. */
const ordinaryOps = new Set<string>();
let reconcileMs = 0;
let replayVerdict = '';
let live: LiveClient | undefined;
/** The manager's browser storage, for the card-data scan. */
let storage = '';
const pageErrors: string[] = [];

const op = (
  type: Parameters<typeof venueOp>[0],
  payload: unknown,
  deviceId: string,
  role: keyof typeof PINS,
) => venueOp(type, payload, deviceId, `demo-${role}`);

const paymentsIn = (set: EntitySet): PaymentRecord[] =>
  listEntities(set, 'payment').filter((p) => allIds().has(p.id));
const allIds = (): Set<string> =>
  new Set([
    ...taken.map((p) => p.paymentId),
    ...(managerPayment ? [managerPayment.paymentId] : []),
  ]);

/** A till's view: the relay's snapshot read with a server's token on that till. */
async function tillView(till: Till): Promise<EntitySet> {
  const snap = await getJson<Snapshot>(
    `${h.relay.url}${venuePath('/snapshot?scopes=order,payment')}`,
    till.server,
  );
  return projectRecords(emptyEntitySet(), snap.records);
}

/** The relay's connectivity transitions so far, for a failure's message. */
const connectivityLog = (): string =>
  h.relay
    .transitions()
    .map((t) => `${new Date(t.at).toISOString()} ${t.from} → ${t.to}: ${t.reason}`)
    .join('\n');

const withoutVersion = (entity: AnyEntity | undefined) => {
  if (!entity) return entity;
  const { version: _version, ...rest } = entity;
  return rest;
};

suite('payments drill: the card payment peak with the internet down', () => {
  beforeAll(async () => {
    if (webDistIsStale()) await buildWeb();
    processor = await startProcessor();
    pg = await preparePgCloud(pgRoot, 'payments');
    h = await venueHarness({
      cloudEnv: {
        ...pg.env,
        HEARTH_PROCESSOR_URL: processor.url,
        HEARTH_PROCESSOR_SECRET: processor.secret,
      },
      relayEnv: { HEARTH_PROCESSOR_URL: processor.url, HEARTH_WEB_DIR: WEB_DIST },
    });
    // The cloud's port is known only now: the processor's events go there from here on.
    await processor.setWebhook(`${h.cloud.url}/v1/payments/processor-events`);
  }, BUILD_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await live?.close();
    await browser?.close().catch(() => undefined);
    await h?.close();
    await processor?.stop().catch(() => undefined);
    await stopAllProcessors();
    await pg?.drop();
    rmSync(pgRoot, { recursive: true, force: true });
  }, 30_000);

  it('1. online: three paired tills open 32 checks through the relay', async () => {
    for (let n = 0; n < TILLS; n++) {
      const device = await pairAtRelay(h.relay, `till-${n + 1}-${newUlid()}`);
      // Paired through to the cloud: the relay knows the till once the cloud's feed brings it.
      const server = await vi.waitFor(() => signIn(h.relay.url, 'server', device.header), {
        timeout: STEP_TIMEOUT_MS,
        interval: 50,
      });
      tills.push({ device, server });
    }
    const till = (i: number) => tills[i % TILLS] as Till;
    // Each till opens its checks in turn, the three at once.
    const opened: Check[] = Array.from({ length: PAYMENTS + 1 }, (_, i) => ({
      orderId: newUlid(),
      tableId: `table-${1 + (i % 12)}`,
      total: 0,
    }));
    await Promise.all(
      tills.map(async (t, first) => {
        for (let i = first; i < opened.length; i += TILLS) {
          const { orderId, tableId } = opened[i] as Check;
          const lines = i < PAYMENTS ? checkLines(i) : bigCheckLines();
          const create = await op(
            'order.create',
            { orderId, tableId, guestCount: 2, lines },
            t.device.deviceId,
            'server',
          );
          const http = await h.postRelay(create, { token: t.server });
          // Online the relay forwards it (201); a slow uplink leaves it journaled (202), synced below.
          expect([201, 202], `${describeHttp(http)}\n${connectivityLog()}`).toContain(http.status);
        }
      }),
    );
    // The 32nd check goes to the kitchen: its ticket is moved while offline.
    const spareId = newUlid();
    const spare = await op(
      'order.create',
      {
        orderId: spareId,
        tableId: 'table-12',
        lines: [{ lineId: newUlid(), itemId: 'burger', quantity: 2 }],
      },
      till(0).device.deviceId,
      'server',
    );
    const send = await op(
      'order.sendToKitchen',
      { orderId: spareId },
      till(0).device.deviceId,
      'server',
    );
    for (const o of [spare, send]) {
      const http = await h.postRelay(o, { token: till(0).server });
      expect([201, 202], describeHttp(http)).toContain(http.status);
    }
    spareTicketId = `${send.opId}-grill`;
    // The relay holds every check with its totals, and the ticket, before the cut.
    const relay = await vi.waitFor(
      async () => {
        const set = await h.relayEntities();
        for (const c of opened) expect(getEntity(set, 'order', c.orderId)).toBeDefined();
        expect(getEntity(set, 'ticket', spareTicketId)).toBeDefined();
        return set;
      },
      { timeout: STEP_TIMEOUT_MS, interval: 50 },
    );
    for (const c of opened) c.total = (getEntity(relay, 'order', c.orderId) as Order).totals.total;
    checks.push(...opened.slice(0, PAYMENTS));
    bigCheck = opened[PAYMENTS] as Check;
    expect(bigCheck.total).toBe(30_000);
    expect(checks.every((c) => c.total > 0 && c.total <= LIMITS.perTransaction)).toBe(true);
    // Every check is in the cloud before the cut: nothing of step 1 waits in the journal.
    await h.waitSettled();
    const cloud = await h.cloudEntities();
    for (const c of opened) expect(getEntity(cloud, 'order', c.orderId)).toBeDefined();
  }, 60_000);

  it('2. uplink cut, processor offline: 30 cards stored within the limits; 300.00 refused for a server, stored for a manager', async () => {
    h.proxy.cut();
    await processor.script({ networkDown: true });
    await h.relay.waitForConnectivity('offline_local', 10_000);

    // Ordinary ops first: service requests and the kitchen starting the spare ticket.
    const ordinary = [
      ...(await Promise.all(
        ['table-2', 'table-5', 'table-9'].map((tableId, i) =>
          op(
            'serviceRequest.create',
            { requestId: newUlid(), tableId, kind: i === 1 ? 'water' : 'call_waiter' },
            (tills[i] as Till).device.deviceId,
            'server',
          ),
        ),
      )),
      await op(
        'ticket.transition',
        { ticketId: spareTicketId, action: 'start' },
        'kds-grill',
        'kitchen',
      ),
    ];
    for (const o of ordinary) {
      const http = await h.postRelay(o, o.type === 'ticket.transition' ? 'kitchen' : 'server');
      // Offline, the relay decides it and journals it for the cloud.
      expect(http.status, describeHttp(http)).toBe(202);
      expect(json(http)).toMatchObject({ opId: o.opId, status: 'accepted_local' });
      ordinaryOps.add(o.opId);
    }

    // The peak: each till takes its ten payments in turn, the three tills at once.
    const answers = new Map<string, CardAnswer>();
    await Promise.all(
      tills.map(async (till, t) => {
        for (let i = t; i < PAYMENTS; i += TILLS) {
          const check = checks[i] as Check;
          const attempt: CardAttempt = {
            paymentId: newUlid(),
            orderId: check.orderId,
            amount: check.total,
            tip: tipOf(i),
            deviceId: till.device.deviceId,
          };
          const http = await takeCard(h.relay.url, till.server, till.device, attempt);
          expect(http.status, describeHttp(http)).toBe(200);
          answers.set(attempt.paymentId, json<CardAnswer>(http));
          taken.push(attempt);
        }
      }),
    );
    expect(taken).toHaveLength(PAYMENTS);
    for (const attempt of taken) {
      const answer = answers.get(attempt.paymentId);
      expect(answer?.outcome, JSON.stringify(answer)).toBe('stored');
      expect(answer?.payment).toMatchObject({
        paymentId: attempt.paymentId,
        amount: attempt.amount,
        tip: attempt.tip,
        status: 'stored',
      });
      expect(answer?.payment?.last4).toMatch(/^[0-9]{4}$/);
      expect(answer?.result?.status).not.toBe('rejected');
    }
    // A till that lost the answer asks again with the same paymentId: the same answer, and no
    // second charge (the processor's count below).
    const again = taken[4] as CardAttempt;
    const till = tills.find((t) => t.device.deviceId === again.deviceId) as Till;
    const repeat = await takeCard(h.relay.url, till.server, till.device, again);
    expect(repeat.status, describeHttp(repeat)).toBe(200);
    expect(json<CardAnswer>(repeat)).toMatchObject({
      outcome: 'stored',
      payment: answers.get(again.paymentId)?.payment,
    });

    // Within the limits: no till past 2,500.00, the venue under 5,000.00 (tips included).
    for (const till of tills) {
      const onTill = taken
        .filter((p) => p.deviceId === till.device.deviceId)
        .reduce((sum, p) => sum + p.amount + p.tip, 0);
      expect(onTill).toBeLessThanOrEqual(LIMITS.perDevice);
    }
    const venueTotal = taken.reduce((sum, p) => sum + p.amount + p.tip, 0);
    expect(venueTotal + bigCheck.total).toBeLessThanOrEqual(LIMITS.perVenue);

    // 300.00 by a server: over the per-payment limit, refused before the card is charged.
    const third = tills[2] as Till;
    refusedId = newUlid();
    const refused = await takeCard(h.relay.url, third.server, third.device, {
      paymentId: refusedId,
      orderId: bigCheck.orderId,
      amount: bigCheck.total,
      tip: 0,
      deviceId: third.device.deviceId,
    });
    expect(refused.status, describeHttp(refused)).toBe(422);
    expect(json(refused)).toMatchObject({
      code: 'OFFLINE_CARD_OVER_TRANSACTION_LIMIT',
      kind: 'stop',
    });
    const afterRefusal = (await processor.state()).charges;
    expect(
      afterRefusal.filter((c) => c.paymentId === refusedId),
      'the processor charged nothing for the refused payment',
    ).toEqual([]);
    expect(afterRefusal, 'one charge per payment so far').toHaveLength(PAYMENTS);

    // The manager signs in on the same till (offline: the relay signs the token) and takes it.
    const manager = await signIn(h.relay.url, 'manager', third.device.header);
    const claims = claimsOf(manager);
    expect(claims).toMatchObject({ kind: 'staff', role: 'manager', did: third.device.deviceId });
    managerActor = String(claims.sub);
    managerPayment = {
      paymentId: newUlid(),
      orderId: bigCheck.orderId,
      amount: bigCheck.total,
      tip: 0,
      deviceId: third.device.deviceId,
    };
    const approved = await takeCard(h.relay.url, manager, third.device, managerPayment);
    expect(approved.status, describeHttp(approved)).toBe(200);
    expect(json<CardAnswer>(approved)).toMatchObject({
      outcome: 'stored',
      payment: { paymentId: managerPayment.paymentId, status: 'stored' },
    });

    // The relay holds 31 stored payments, the manager's approved by them; every check closed.
    const relay = await h.relayEntities();
    const stored = paymentsIn(relay);
    expect(stored).toHaveLength(PAYMENTS + 1);
    expect(stored.every((p) => p.status === 'stored' && p.offline && p.method === 'card')).toBe(
      true,
    );
    expect(getEntity(relay, 'payment', managerPayment.paymentId)).toMatchObject({
      approvedBy: managerActor,
      amount: 30_000,
      deviceId: third.device.deviceId,
    });
    expect(
      stored.filter((p) => p.id !== managerPayment.paymentId).every((p) => p.approvedBy === null),
    ).toBe(true);
    for (const c of [...checks, bigCheck])
      expect(getEntity(relay, 'order', c.orderId)).toMatchObject({
        status: 'closed',
        paid: c.total,
      });
    // Nothing reached the cloud yet.
    expect(paymentsIn(await h.cloudEntities())).toEqual([]);
  }, 60_000);

  it('3. uplink back: payments replay first, each once in the cloud and charged once', async () => {
    declinedId = (taken.find((p) => p.tip > 0) as CardAttempt).paymentId;
    await processor.script({ declineLater: [declinedId] });
    const before = performance.now();
    h.proxy.restore();
    await h.relay.waitForConnectivity(['reconciling', 'recovered', 'online'], 15_000);
    await h.waitSettled(45_000);
    await vi.waitFor(
      async () => expect(paymentsIn(await h.cloudEntities())).toHaveLength(PAYMENTS + 1),
      { timeout: STEP_TIMEOUT_MS, interval: 50 },
    );
    reconcileMs = performance.now() - before;

    const feed = await h.cloudFeed();
    const ids = allIds();
    // Exactly once: one upsert per payment, version 1, from the op whose id is the payment's.
    const upserts = upsertsOf(feed, 'payment');
    expect([...upserts.keys()].filter((id) => ids.has(id)).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const list = upserts.get(id) ?? [];
      expect(
        list.map((e) => e.version),
        `cloud feed upserts of payment ${id}`,
      ).toEqual([1]);
    }
    const cloud = await h.cloudEntities();
    for (const p of paymentsIn(cloud)) expect(p).toMatchObject({ status: 'stored', version: 1 });
    expect(getEntity(cloud, 'payment', managerPayment.paymentId)).toMatchObject({
      approvedBy: managerActor,
    });

    // Replay order: every payment's feed entries come before those of the ordinary ops the
    // relay journaled ahead of them.
    const paymentEntries = feed.filter((e) => (e.entity as string) === 'payment' && ids.has(e.id));
    const ordinaryEntries = entriesOf(feed, ordinaryOps);
    expect(new Set(ordinaryEntries.map((e) => e.opId))).toEqual(ordinaryOps);
    const lastPayment = Math.max(...paymentEntries.map((e) => e.seq));
    const firstOrdinary = Math.min(...ordinaryEntries.map((e) => e.seq));
    replayVerdict = `payments seq ≤ ${lastPayment} < ordinary seq ≥ ${firstOrdinary}`;
    expect(lastPayment, replayVerdict).toBeLessThan(firstOrdinary);

    // The processor took each card once: 31 charges, all stored, none for the refused attempt.
    const { charges } = await processor.state();
    expect(charges).toHaveLength(PAYMENTS + 1);
    expect(new Set(charges.map((c) => c.paymentId))).toEqual(ids);
    expect(charges.every((c) => c.status === 'stored' && c.allowStore)).toBe(true);
    expect(charges.some((c) => c.paymentId === refusedId)).toBe(false);
  }, 90_000);

  it('4. processor back: 30 authorised later, 1 declined later: its check reopened and a task open, everywhere', async () => {
    // Till 1's live feed at the relay, from now on: what the floor app hears.
    const till1 = tills[0] as Till;
    const snap = await getJson<Snapshot>(
      `${h.relay.url}${venuePath('/snapshot?scopes=order,payment')}`,
      till1.server,
    );
    const q = new URLSearchParams({
      cursor: snap.cursor,
      scopes: 'order,payment',
      deviceId: till1.device.deviceId,
    });
    live = new LiveClient(
      `${h.relay.url.replace(/^http/, 'ws')}${venuePath(`/live?${q}`)}`,
      till1.server,
    );
    await live.ready();
    expect(live.errors).toEqual([]);

    await processor.script({ networkDown: false });
    const forwarded = await processor.forward();
    expect(forwarded).toHaveLength(PAYMENTS + 1);
    expect(forwarded.filter((f) => f.outcome === 'declined_later')).toEqual([
      { paymentId: declinedId, outcome: 'declined_later' },
    ]);
    await vi.waitFor(
      async () => {
        const { events } = await processor.state();
        expect(events.filter((e) => e.status !== 'delivered')).toEqual([]);
      },
      { timeout: STEP_TIMEOUT_MS, interval: 100 },
    );

    const declined = taken.find((p) => p.paymentId === declinedId) as CardAttempt;
    const declinedCheck = checks.find((c) => c.orderId === declined.orderId) as Check;
    declinedTable = `Table ${declinedCheck.tableId.replace('table-', '')}`;
    const expectSettled = (set: EntitySet, where: string) => {
      const payments = paymentsIn(set);
      expect(payments, where).toHaveLength(PAYMENTS + 1);
      expect(
        payments.filter((p) => p.status === 'approved_later').length,
        `${where}: approved later`,
      ).toBe(PAYMENTS);
      expect(getEntity(set, 'payment', declinedId), where).toMatchObject({
        status: 'declined_later',
        declineCode: 'do_not_honor',
        task: 'open',
      });
      expect(getEntity(set, 'order', declined.orderId), where).toMatchObject({
        status: 'sent',
        paid: 0,
        tips: 0,
        closedAt: null,
      });
      // The other checks stay paid and closed.
      const others = [...checks, bigCheck].filter((c) => c.orderId !== declined.orderId);
      for (const c of others)
        expect(getEntity(set, 'order', c.orderId), where).toMatchObject({ status: 'closed' });
    };
    const cloud = await vi.waitFor(
      async () => {
        const set = await h.cloudEntities();
        expectSettled(set, 'cloud');
        return set;
      },
      { timeout: STEP_TIMEOUT_MS, interval: 100 },
    );
    const relay = await vi.waitFor(
      async () => {
        const set = await h.relayEntities();
        expectSettled(set, 'relay');
        return set;
      },
      { timeout: STEP_TIMEOUT_MS, interval: 100 },
    );
    const till = await vi.waitFor(
      async () => {
        const set = await tillView(till1);
        expectSettled(set, 'till 1');
        return set;
      },
      { timeout: STEP_TIMEOUT_MS, interval: 100 },
    );
    // The live feed brought the settlement: the declined payment and its reopened check.
    const heard = await vi.waitFor(
      () => {
        const set = project(projectRecords(emptyEntitySet(), snap.records), live?.entries ?? []);
        expectSettled(set, 'till 1 live feed');
        return set;
      },
      { timeout: STEP_TIMEOUT_MS, interval: 100 },
    );
    for (const set of [relay, till, heard]) {
      expect(withoutVersion(getEntity(set, 'payment', declinedId))).toEqual(
        withoutVersion(getEntity(cloud, 'payment', declinedId)),
      );
      expect(withoutVersion(getEntity(set, 'order', declined.orderId))).toEqual(
        withoutVersion(getEntity(cloud, 'order', declined.orderId)),
      );
    }
    // Each settle applied once: version 2 in the cloud, no second upsert.
    for (const id of allIds())
      expect(
        (upsertsOf(await h.cloudFeed(), 'payment').get(id) ?? []).map((e) => e.version),
      ).toEqual([1, 2]);
  }, 60_000);

  it('5. the manager’s failed-operations inbox on the floor app shows the declined payment’s task', async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: 60_000,
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await giveDeviceCookie(context, h.relay.url, (tills[2] as Till).device);
    const page: Page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${h.relay.url}/ops/`);
    await signInOnPage(page, PINS.manager);
    await showView(page, 'sync');
    // The declined payment's task, as a manager sees it: the check, why, and what to do.
    const tasks = page.locator('hearth-failed-ops [data-task]');
    const task = page.locator(`hearth-failed-ops [data-task="${declinedId}"]`);
    await task.waitFor();
    expect(await tasks.count(), 'one payment to follow up').toBe(1);
    const text = (await task.textContent()) ?? '';
    expect(text).toContain(`${declinedTable}: card payment declined after the outage`);
    expect(text).toContain('due on the check');
    await task.locator('[data-action="mark-handled"]').waitFor();
    storage = await dumpBrowserStorage(page);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('6. no card number in the relay’s SQLite, the cloud’s PostgreSQL, their logs, metrics and health, or the browser', async () => {
    const schema = (pg as PgCloudSetup).schema;
    // The harness keeps the cloud's data directory beside the relay's.
    const cloudDir = join(dirname(h.relayDataDir), 'cloud');
    const relayFiles = filesUnder(h.relayDataDir);
    const cloudFiles = filesUnder(cloudDir);
    // The relay's store as it is now, the WAL file included (the processes still run); the
    // cloud keeps no SQLite of its own: its data is in PostgreSQL.
    expect(relayFiles).toEqual(expect.arrayContaining(['relay.db', 'relay.db-wal']));
    expect(cloudFiles.filter((f) => f.startsWith('cloud.db'))).toEqual([]);
    // The browser's copy holds the payments: the scan reads a store that has them.
    expect(storage).toContain(declinedId);
    // The cloud's schema holds every payment: the scan reads a store that has them.
    const ids = [...allIds()];
    const sql = postgres((pg as PgCloudSetup).url, { max: 1, onnotice: () => {} });
    let schemaRows = 0;
    try {
      const [stored] = await sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM ${sql(schema)}.entities
        WHERE kind = 'payment' AND id = ANY(${ids})`;
      expect(stored?.n, `payments in ${schema}.entities`).toBe(ids.length);
      const tables = await sql<{ table: string }[]>`
        SELECT table_name AS table FROM information_schema.tables
        WHERE table_schema = ${schema} AND table_type = 'BASE TABLE'`;
      for (const { table } of tables) {
        const [count] = await sql<{ n: number }[]>`
          SELECT count(*)::int AS n FROM ${sql(schema)}.${sql(table)}`;
        schemaRows += count?.n ?? 0;
      }
    } finally {
      await sql.end({ timeout: 1 });
    }
    // What the processes report about themselves, read from this machine as a scraper would.
    const read = async (url: string) => {
      const http = await call(url);
      expect(http.status, describeHttp(http)).toBe(200);
      return http.text;
    };
    const cloudMetrics = await read(`${h.cloud.url}/metrics`);
    const relayMetrics = await read(`${h.relay.url}/metrics`);
    const relayHealth = await read(`${h.relay.url}/healthz`);
    // The cloud counted the payment routes; the relay reports its journal.
    expect(cloudMetrics).toContain('hearth_http_requests_total');
    expect(cloudMetrics).toContain('processor-events');
    expect(relayMetrics).toContain('hearth_relay_journal_depth');
    expect(relayHealth).toContain('journalDepth');
    const pgReport = await scanStores(
      [{ kind: 'postgres', url: (pg as PgCloudSetup).url, schemas: [schema] }],
      {
        canaries: TEST_CARD_NUMBERS_FOR_TESTS,
      },
    );
    const cloudLog = h.cloud.output();
    const relayLog = h.relay.output();
    const report = await scanStores(
      [
        { kind: 'dir', path: h.relayDataDir },
        { kind: 'dir', path: cloudDir },
        { kind: 'text', label: 'cloud stdout', text: cloudLog.stdout },
        { kind: 'text', label: 'cloud stderr', text: cloudLog.stderr },
        { kind: 'text', label: 'relay stdout', text: relayLog.stdout },
        { kind: 'text', label: 'relay stderr', text: relayLog.stderr },
        { kind: 'text', label: 'cloud /metrics', text: cloudMetrics },
        { kind: 'text', label: 'relay /metrics', text: relayMetrics },
        { kind: 'text', label: 'relay /healthz', text: relayHealth },
        { kind: 'text', label: 'browser storage', text: storage },
      ],
      { canaries: TEST_CARD_NUMBERS_FOR_TESTS },
    );
    // Every table of the cloud's schema read, every row it held (and any written since).
    expect(pgReport.scanned.tables).toBeGreaterThan(0);
    expect(pgReport.scanned.rows).toBeGreaterThanOrEqual(schemaRows);
    expect(schemaRows).toBeGreaterThan(ids.length);
    expect(report.scanned.files).toBe(relayFiles.length + cloudFiles.length);
    expect(report.scanned.bytes).toBeGreaterThan(0);
    expect(report.scanned.rows).toBeGreaterThan(0);
    expect(relayLog.stdout.length, 'the relay logged').toBeGreaterThan(0);
    expect(cloudLog.stdout.length, 'the cloud logged').toBeGreaterThan(0);
    expect([...pgReport.hits, ...report.hits]).toEqual([]);
    console.log(
      `payments drill: ${PAYMENTS + 1} card payments stored offline on ${TILLS} tills (1 refused over the limit, ` +
        `1 declined later); replay ${replayVerdict}; reconciled in ${Math.round(reconcileMs)} ms; ` +
        `card scan ${report.scanned.files} files, ${report.scanned.bytes} bytes, ${report.scanned.rows} SQLite rows, ` +
        `PostgreSQL ${schema}: ${pgReport.scanned.tables} tables, ${pgReport.scanned.rows} rows; ` +
        `metrics and health ${cloudMetrics.length + relayMetrics.length + relayHealth.length} chars: 0 hits`,
    );
  }, 60_000);
});
