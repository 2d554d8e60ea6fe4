import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import {
  dayReport,
  type EntitySet,
  getEntity,
  listEntities,
  newUlid,
  type Operation,
  type OperationType,
  type Order,
  opSubjects,
} from '#protocol';
import { demoItems } from '../../cloud/seed/demo-menu.ts';
import type { PairedDevice } from '../e2e/support/cloud-client.ts';
import {
  call,
  flatten,
  pairAtRelay,
  type RelayHealth,
  signIn,
  type VenueHarness,
  venueHarness,
  venueOp,
  venuePath,
} from '../e2e/support/relay-process.ts';
import { buildWeb, WEB_DIST, webDistIsStale } from '../e2e/support/web-build.ts';
import { type FaultProxy, startFaultProxy } from '../faults/fault-proxy.ts';
import { startProcessor, stopAllProcessors } from '../support/processor-process.ts';
import type { BrowserActors } from './browser-actors.ts';
import { clockTime, DayClock } from './day-clock.ts';
import {
  type DeviceState,
  type Endpoint,
  Follower,
  type OpRecord,
  Outbox,
  realNow,
  type Transition,
} from './devices.ts';
import {
  entitiesDiffering,
  firstSeqs,
  type Holder,
  isPayment,
  type MadeOp,
  moneyDiffering,
  opsAppliedTwice,
  opsLost,
  perDeviceOrderViolations,
} from './invariants.ts';
import type {
  ConnectivityTrack,
  DepthSample,
  LatencyWindow,
  OpsMinute,
  OutageResult,
  VenueDayOptions,
  VenueDayResult,
} from './result.ts';
import {
  CLOSES,
  coversOf,
  DAY_ENDS,
  MORNING,
  OPENS,
  OUTAGES,
  type Party,
  type PlannedLine,
  planDay,
} from './schedule.ts';

// A day of service through real processes: the cloud (SQLite), the card processor, the venue
// relay behind a WAN fault proxy, a Wi-Fi fault proxy between the devices and the relay;
// scripted devices speaking the real API with a real outbox policy, and (with `browsers`) real
// Chromium pages doing the same work through their screens. The plan (schedule.ts) is played
// on a compressed clock; the three outages cut the links; at the end everything drains and the
// invariants are counted.

export interface RunOptions extends VenueDayOptions {
  /** Real Chromium pages take part (browser-actors.ts). */
  readonly browsers: boolean;
  readonly log: (line: string) => void;
  /** Where to write the relay's log lines (JSON, one a line) at the end, for a post-mortem. */
  readonly relayLog?: string;
}

const VENUE = 'demo-bistro';
/** Tables kept for the Chromium floor app and guest phone, after the plan's own. */
const BROWSER_TABLES = 4;
const TICK_MS = 50;
/** Each till's float, in cents. */
const DRAWER_FLOAT = 20_000;
const SAMPLE_MS = 250;
const BROWSER_SAMPLE_MS = 1_000;
/** The shortest real time each outage lasts, whatever the compression: long enough to matter. */
const MIN_OUTAGE_MS = { wifi: 3_000, wan: 8_000 } as const;

/** The demo menu's items a plan may order: those with no required choice. */
const PLAN_ITEMS = demoItems
  .filter((item) => (item.modifierGroups ?? []).every((group) => group.min === 0))
  .map(({ id, categoryId, price, station }) => ({ id, categoryId, price, station }));

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface StaffDevice {
  readonly name: string;
  readonly role: 'server' | 'manager';
  readonly section: number;
  readonly paired: PairedDevice;
  token: string;
  readonly outbox: Outbox;
  readonly follower: Follower;
  drawerId: string | undefined;
}

interface KitchenDevice {
  readonly name: string;
  readonly stations: readonly string[];
  readonly expo: boolean;
  readonly paired: PairedDevice;
  token: string;
  readonly outbox: Outbox;
  readonly follower: Follower;
  /** What it has done to each ticket: the last action sent. */
  readonly done: Map<string, string>;
  readonly dueAt: Map<string, number>;
}

interface Phone {
  readonly name: string;
  readonly outbox: Outbox;
}

/** What the run keeps of each party on the floor. */
interface Table {
  readonly party: Party;
  orderId: string;
  /** Rounds sent so far. */
  sent: number;
  paid: boolean;
  closing: boolean;
  /** The payments made for it: what each paid of the check. */
  readonly payments: {
    paymentId: string;
    method: 'cash' | 'card';
    amount: number;
    tip: number;
    /** A cash payment's op (its answer says whether it went through). */
    record?: OpRecord;
  }[];
}

/** A card payment as the floor takes it (POST …/payments/card), and its end. */
interface CardRecord {
  readonly paymentId: string;
  readonly orderId: string;
  readonly device: string;
  readonly minute: number;
  readonly madeAt: number;
  /** What was asked: a retry asks the same ("Check again"), whatever the check shows now. */
  readonly amount: number;
  readonly tip: number;
  outcome?: string;
  /** performance.now() of the answer that settled it. */
  answeredAt?: number;
  /** Every answer, for a reader (`409 IN_FLIGHT`, `no answer`, `200 approved`…). */
  readonly answers: string[];
}

export async function runVenueDay(options: RunOptions): Promise<VenueDayResult> {
  const { log } = options;
  const startedAt = new Date();
  const began = realNow();
  const plan = planDay(options.seed, options.rate, PLAN_ITEMS);
  const tableCount = plan.tables.length + BROWSER_TABLES;
  log(
    `plan: ${plan.parties.length} parties, ${coversOf(plan)} covers at ${plan.tables.length} tables; ` +
      `compression ${options.compression}×, rate ${options.rate}×`,
  );
  if (options.browsers && webDistIsStale()) await buildWeb();

  const processor = await startProcessor();
  let h: VenueHarness | undefined;
  let wifi: FaultProxy | undefined;
  let actors: BrowserActors | undefined;
  const stops: (() => void)[] = [];
  try {
    h = await venueHarness({
      cloudEnv: {
        HEARTH_PROCESSOR_URL: processor.url,
        HEARTH_PROCESSOR_SECRET: processor.secret,
        HEARTH_WEB_DIR: WEB_DIST,
        HEARTH_DEMO_TABLES: String(tableCount),
      },
      relayEnv: { HEARTH_PROCESSOR_URL: processor.url, HEARTH_WEB_DIR: WEB_DIST },
    });
    const harness = h;
    await processor.setWebhook(`${harness.cloud.url}/v1/payments/processor-events`);
    wifi = await startFaultProxy({ target: { host: '127.0.0.1', port: harness.relay.port } });
    const lan = wifi.url;
    log(`cloud ${harness.cloud.url}, relay ${harness.relay.url}, devices reach it at ${lan}`);

    // ---- devices -----------------------------------------------------------------------------
    const staff: StaffDevice[] = [];
    const kitchens: KitchenDevice[] = [];
    const phones: Phone[] = [];
    const cards: CardRecord[] = [];
    const lanEndpoint = (paired: PairedDevice, token: () => string): Endpoint => ({
      base: () => lan,
      headers: () => ({ Authorization: `Bearer ${token()}`, ...paired.header }),
    });
    const pairAndSignIn = async (deviceId: string, role: 'server' | 'manager' | 'kitchen') => {
      const paired = await pairAtRelay(
        harness.relay,
        deviceId,
        role === 'kitchen' ? 'kitchen' : 'floor',
      );
      const deadline = realNow() + 15_000;
      for (;;) {
        try {
          return { paired, token: await signIn(lan, role, paired.header) };
        } catch (error) {
          if (realNow() > deadline) throw error;
          await sleep(100);
        }
      }
    };
    // Four handhelds take the orders of their section; four fixed tills take its payments; the
    // fifth till is the manager's.
    const staffPlan = [
      ...[0, 1, 2, 3].map((section) => ({
        name: `handheld-${section + 1}`,
        role: 'server' as const,
        section,
      })),
      ...[0, 1, 2, 3].map((section) => ({
        name: `till-${section + 1}`,
        role: 'server' as const,
        section,
      })),
      { name: 'till-5', role: 'manager' as const, section: -1 },
    ];
    for (const s of staffPlan) {
      const deviceId = `${s.name}-${newUlid().slice(-6).toLowerCase()}`;
      const { paired, token } = await pairAndSignIn(deviceId, s.role);
      const device: StaffDevice = {
        name: s.name,
        role: s.role,
        section: s.section,
        paired,
        token,
        outbox: new Outbox(
          s.name,
          lanEndpoint(paired, () => device.token),
        ),
        follower: new Follower(
          s.name,
          lanEndpoint(paired, () => device.token),
          () => device.token,
          {
            deviceId,
          },
        ),
        drawerId: undefined,
      };
      staff.push(device);
    }
    const stations = options.browsers ? ['fry', 'cold', 'bar'] : ['grill', 'fry', 'cold', 'bar'];
    const kitchenPlan = [
      ...stations.map((station) => ({ name: `kds-${station}`, stations: [station], expo: false })),
      ...(options.browsers ? [] : [{ name: 'kds-expo', stations: [] as string[], expo: true }]),
    ];
    for (const k of kitchenPlan) {
      const deviceId = `${k.name}-${newUlid().slice(-6).toLowerCase()}`;
      const { paired, token } = await pairAndSignIn(deviceId, 'kitchen');
      const device: KitchenDevice = {
        ...k,
        paired,
        token,
        outbox: new Outbox(
          k.name,
          lanEndpoint(paired, () => device.token),
        ),
        follower: new Follower(
          k.name,
          lanEndpoint(paired, () => device.token),
          () => device.token,
        ),
        done: new Map(),
        dueAt: new Map(),
      };
      kitchens.push(device);
    }
    const cloudEndpoint: Endpoint = { base: () => harness.cloud.url, headers: () => ({}) };
    const phoneCount = options.browsers ? 39 : 40;
    for (let i = 0; i < phoneCount; i++) {
      const name = `phone-${i + 1}`;
      phones.push({ name, outbox: new Outbox(name, cloudEndpoint, 'single') });
    }
    // The cloud's own view, read live: when each op reached it.
    const cloudWatch = new Follower(
      'cloud',
      { base: () => harness.cloud.url, headers: () => ({}) },
      () => harness.cloudTokens.manager,
    );
    await cloudWatch.start();
    for (const d of [...staff, ...kitchens]) {
      await d.follower.start();
      d.outbox.start();
    }
    for (const p of phones) p.outbox.start();
    stops.push(() => {
      cloudWatch.stop();
      for (const d of [...staff, ...kitchens]) {
        d.follower.stop();
        d.outbox.stop();
      }
      for (const p of phones) p.outbox.stop();
    });

    if (options.browsers) {
      const { startBrowserActors } = await import('./browser-actors.ts');
      const extra = Array.from({ length: BROWSER_TABLES }, (_, i) =>
        String(plan.tables.length + i + 1),
      );
      actors = await startBrowserActors({
        lanUrl: lan,
        relay: harness.relay,
        cloudUrl: harness.cloud.url,
        floorTables: extra.slice(0, BROWSER_TABLES - 1),
        guestTable: extra[BROWSER_TABLES - 1] as string,
        kitchenStations: ['grill', 'expo'],
        paceMs: Math.max(400, Math.round(60_000 / options.compression) * 4),
        log,
      });
    }
    log(
      `devices: ${staff.length} staff, ${kitchens.length} kitchen displays, ${phones.length} phones` +
        (actors ? `, Chromium: ${Object.keys(actors.pages).join(', ')}` : ''),
    );

    // ---- the day -----------------------------------------------------------------------------
    const clock = new DayClock(realNow(), OPENS - 5, options.compression);
    const minuteNow = () => clock.minuteAt(realNow());
    const tables = new Map<string, Table>();
    /** The last party seated at each table label. */
    const lastAt = new Map<string, Table>();
    const allParties = [...plan.parties, ...plan.breakfasts];
    const opsOf = (list: readonly Outbox[]) => list.flatMap((o) => o.records);
    const lanOutboxes = () => [...staff, ...kitchens].map((d) => d.outbox);
    const allOutboxes = () => [...lanOutboxes(), ...phones.map((p) => p.outbox)];

    const make = async (
      device: { name: string; paired: PairedDevice; outbox: Outbox },
      actor: string,
      type: OperationType,
      payload: unknown,
    ): Promise<OpRecord> => {
      const op = await venueOp(type, payload, device.paired.deviceId, actor);
      return device.outbox.add(op, minuteNow());
    };
    const actorOf = (d: StaffDevice) => (d.role === 'manager' ? 'demo-manager' : 'demo-server');
    const handheldOf = (party: Party) => staff[party.section] as StaffDevice;
    const tillOf = (party: Party) => staff[4 + party.section] as StaffDevice;
    const manager = staff[8] as StaffDevice;
    const available = (d: StaffDevice, itemId: string) =>
      getEntity(d.follower.set, 'menuItem', itemId)?.available !== false;
    /** The party's lines as the server can take them: a sold-out dish swapped for another. */
    const linesFor = (d: StaffDevice, lines: readonly PlannedLine[]) =>
      lines.map((line) => {
        const item = PLAN_ITEMS.find((i) => i.id === line.itemId);
        const itemId = available(d, line.itemId)
          ? line.itemId
          : (PLAN_ITEMS.find((i) => i.categoryId === item?.categoryId && available(d, i.id))?.id ??
            'house-red');
        return { lineId: newUlid(), itemId, quantity: line.quantity };
      });
    const visibleOrder = (d: StaffDevice, orderId: string): Order | undefined =>
      getEntity(d.follower.set, 'order', orderId);

    /** Work that waits for a condition (the order on the tablet): retried each tick until done. */
    const waiting: { what: string; busy: boolean; try: () => Promise<boolean> }[] = [];
    const retry = (what: string, fn: () => Promise<boolean>) => {
      waiting.push({ what, busy: false, try: fn });
    };

    const seat = async (party: Party) => {
      const table: Table = {
        party,
        orderId: newUlid(),
        sent: 0,
        paid: false,
        closing: false,
        payments: [],
      };
      tables.set(party.id, table);
      const before = lastAt.get(party.table);
      lastAt.set(party.table, table);
      const first = party.rounds[0];
      if (!first) return;
      if (party.channel === 'qr') {
        const phone = phones[Number(party.id.slice(1)) % phones.length] as Phone;
        retry(`${party.id} guest order`, async () => {
          // A guest's order joins the table's open check at the cloud: the party sits down
          // once the one before has paid and the cloud has its check closed.
          const previous = before && getEntity(cloudWatch.set, 'order', before.orderId);
          if (before && previous?.status !== 'closed' && previous?.status !== 'voided')
            return false;
          const token = await guestToken(harness.cloud.url, party.table).catch(() => undefined);
          if (!token) return false;
          const op = await venueOp(
            'order.create',
            {
              orderId: table.orderId,
              tableId: `table-${party.table}`,
              guestCount: party.guests,
              lines: first.lines.map((l) => ({ lineId: newUlid(), ...l })),
            },
            phone.name,
            token.sub,
          );
          phone.outbox.add(op, minuteNow(), { Authorization: `Bearer ${token.token}` });
          table.sent = 1;
          return true;
        });
        return;
      }
      const d = handheldOf(party);
      await make(d, actorOf(d), 'order.create', {
        orderId: table.orderId,
        tableId: `table-${party.table}`,
        guestCount: party.guests,
        lines: linesFor(d, first.lines),
        send: {},
      });
      table.sent = 1;
    };

    const sendRound = (party: Party, r: number) => {
      const table = tables.get(party.id);
      const round = party.rounds[r];
      if (!table || !round) return;
      const d = handheldOf(party);
      retry(`${party.id} round ${r + 1}`, async () => {
        // The server adds to a check their tablet shows (a guest's QR order arrives by the feed).
        if (party.channel === 'qr' && !visibleOrder(d, table.orderId)) return false;
        if (table.paid || table.closing) return true;
        await make(d, actorOf(d), 'order.addLines', {
          orderId: table.orderId,
          lines: linesFor(d, round.lines),
          send: {},
        });
        table.sent = Math.max(table.sent, r + 1);
        if (party.voidRound === r) {
          const at = minuteNow() + 2;
          retry(`${party.id} void`, async () => {
            if (minuteNow() < at) return false;
            const order = visibleOrder(d, table.orderId);
            const line = order?.lines.find((l) => l.sentAt && !l.voidedAt);
            if (!order || !line || order.status === 'closed') return !!order;
            await make(d, actorOf(d), 'order.voidLine', {
              orderId: table.orderId,
              lineId: line.id,
              reason: 'Guest changed their mind',
            });
            return true;
          });
        }
        return true;
      });
    };

    const callStaff = (party: Party) => {
      const table = tables.get(party.id);
      if (!table || !party.call) return;
      const phone = phones[(Number(party.id.slice(1)) * 7) % phones.length] as Phone;
      const kind = party.call.kind;
      retry(`${party.id} call`, async () => {
        const token = await guestToken(harness.cloud.url, party.table).catch(() => undefined);
        if (!token) return false;
        const op = await venueOp(
          'serviceRequest.create',
          { requestId: newUlid(), tableId: `table-${party.table}`, kind },
          phone.name,
          token.sub,
        );
        phone.outbox.add(op, minuteNow(), { Authorization: `Bearer ${token.token}` });
        return true;
      });
    };

    const pay = (party: Party) => {
      const table = tables.get(party.id);
      if (!table) return;
      const till = tillOf(party);
      table.closing = true;
      retry(`${party.id} pays`, async () => {
        const order = visibleOrder(till, table.orderId);
        // The till shows the check once every round is on it and nothing of the table waits.
        const handheld = handheldOf(party);
        if (!order || handheld.outbox.pendingFor((op) => orderIdOf(op) === table.orderId))
          return false;
        if (table.sent === 0) return false;
        // A card still at the reader is asked about again first, whatever the check shows.
        const outstanding = cards.find(
          (c) => c.orderId === table.orderId && c.outcome === undefined,
        );
        if (outstanding) {
          const answer = await takeCard(lan, till, table, 0, 0, cards, minuteNow());
          if (answer === 'retry') return false;
          if (answer === 'paid') {
            table.paid = true;
            return true;
          }
        }
        if (order.status === 'closed') {
          table.paid = true;
          return true;
        }
        if (till.outbox.pendingFor((op) => orderIdOf(op) === table.orderId)) return false;
        const balance = order.totals.total - (order.paid ?? 0);
        if (balance <= 0) return false;
        const tip = Math.round((balance * party.pays.tipPercent) / 100);
        if (party.pays.method === 'card') {
          const answer = await takeCard(lan, till, table, balance, tip, cards, minuteNow());
          if (answer === 'retry') return false;
          if (answer === 'paid') {
            table.paid = true;
            return true;
          }
        }
        await payCash(till, table, balance, tip);
        return true;
      });
    };

    const payCash = async (till: StaffDevice, table: Table, amount: number, tip: number) => {
      const paymentId = newUlid();
      const tendered = Math.ceil((amount + tip) / 500) * 500;
      const payment: Table['payments'][number] = { paymentId, method: 'cash', amount, tip };
      table.payments.push(payment);
      const record = await make(till, actorOf(till), 'payment.cash', {
        paymentId,
        orderId: table.orderId,
        amount,
        tip,
        tendered,
        ...(till.drawerId ? { drawerId: till.drawerId } : {}),
      });
      payment.record = record;
      table.paid = true;
    };

    const takeCard = async (
      base: string,
      till: StaffDevice,
      table: Table,
      amount: number,
      tip: number,
      records: CardRecord[],
      minute: number,
    ): Promise<'paid' | 'cash' | 'retry'> => {
      // One attempt per check, asked again with the same paymentId until it has an answer.
      let attempt = records.find((c) => c.orderId === table.orderId && c.outcome === undefined);
      if (!attempt) {
        attempt = {
          paymentId: newUlid(),
          orderId: table.orderId,
          device: till.name,
          minute,
          madeAt: realNow(),
          amount,
          tip,
          answers: [],
        };
        records.push(attempt);
      }
      const asked = attempt;
      const res = await call(`${base}${venuePath('/payments/card')}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${till.token}`,
          ...till.paired.header,
        },
        body: JSON.stringify({
          paymentId: asked.paymentId,
          orderId: table.orderId,
          amount: asked.amount,
          tip: asked.tip,
          deviceId: till.paired.deviceId,
        }),
      }).catch(() => undefined);
      if (!res) {
        asked.answers.push('no answer');
        return 'retry';
      }
      const body = JSON.parse(res.text || '{}') as {
        outcome?: string;
        code?: string;
        result?: { status?: string };
      };
      asked.answers.push(`${res.status} ${body.outcome ?? body.code ?? ''}`.trim());
      // Not an answer about the payment (the reader busy with it, the server unwell): ask again.
      if (res.status >= 500 || res.status === 429 || res.status === 409) return 'retry';
      if (res.status === 200 || res.status === 201 || res.status === 202) {
        if (body.outcome === 'timed_out') return 'retry';
        if (body.outcome === 'approved' || body.outcome === 'stored') {
          asked.outcome = body.outcome;
          asked.answeredAt = realNow();
          table.payments.push({
            paymentId: asked.paymentId,
            method: 'card',
            amount: asked.amount,
            tip: asked.tip,
          });
          return 'paid';
        }
      }
      // Declined, or over the offline limits (nothing charged): the guest pays cash.
      asked.outcome = `refused ${res.status} ${body.outcome ?? body.code ?? ''}`.trim();
      if (res.status !== 422 && body.outcome !== 'declined')
        failures.push(`${till.name} card ${asked.paymentId}: ${asked.answers.join(' → ')}`);
      return 'cash';
    };

    const eightySix = async (itemId: string, availableNow: boolean) => {
      await make(manager, 'demo-manager', 'menu.item.setAvailability', {
        itemId,
        available: availableNow,
      });
    };

    const openDrawers = async () => {
      for (const till of staff.slice(4, 8)) {
        till.drawerId = newUlid();
        await make(till, actorOf(till), 'drawer.open', {
          drawerId: till.drawerId,
          float: DRAWER_FLOAT,
        });
      }
    };
    const closeDrawers = () => {
      for (const till of staff.slice(4, 8)) {
        retry(`${till.name} drawer close`, async () => {
          if (!till.drawerId) return true;
          if (till.outbox.pendingFor((op) => op.type === 'payment.cash')) return false;
          const drawerId = till.drawerId;
          till.drawerId = undefined;
          // Counted: the float and the cash of every sale into this drawer that went through.
          const taken = till.outbox.records
            .filter(
              (r) =>
                r.op.type === 'payment.cash' &&
                (r.op.payload as { drawerId?: string }).drawerId === drawerId &&
                (r.outcome === 'applied' || r.outcome === 'accepted_local'),
            )
            .reduce((sum, r) => {
              const { amount, tip } = r.op.payload as { amount: number; tip: number };
              return sum + amount + tip;
            }, 0);
          await make(till, actorOf(till), 'drawer.close', {
            drawerId,
            counted: DRAWER_FLOAT + taken,
            reason: 'Counted at the end of the night',
          });
          return true;
        });
      }
    };

    // The kitchen: each station starts and readies its tickets after a cook's time; the expo
    // (scripted only without Chromium) bumps what is ready.
    const kitchenTick = async () => {
      const now = realNow();
      const cook = clock.realFor(6, now);
      for (const k of kitchens) {
        for (const ticket of listEntities(k.follower.set, 'ticket')) {
          const mine = k.stations.includes(ticket.station);
          const action =
            mine && ticket.status === 'queued'
              ? 'start'
              : mine && ticket.status === 'in_progress'
                ? 'ready'
                : k.expo && ticket.status === 'ready'
                  ? 'bump'
                  : undefined;
          if (!action || k.done.get(ticket.id) === action) continue;
          const due = k.dueAt.get(`${ticket.id}/${action}`);
          if (due === undefined) {
            k.dueAt.set(`${ticket.id}/${action}`, now + cook * (0.3 + Math.random()));
            continue;
          }
          if (due > now) continue;
          k.done.set(ticket.id, action);
          await make(k, 'demo-kitchen', 'ticket.transition', { ticketId: ticket.id, action });
        }
      }
    };

    // Servers answer their section's calls: acknowledged when seen, done a little later.
    const handled = new Map<string, string>();
    const callsTick = async () => {
      for (const d of staff.slice(0, 4)) {
        for (const request of listEntities(d.follower.set, 'serviceRequest')) {
          const tableNo = Number(request.tableId.replace('table-', ''));
          if (!plan.parties.some((p) => p.section === d.section && p.table === String(tableNo)))
            continue;
          const did = handled.get(request.id);
          if (request.status === 'open' && did === undefined) {
            handled.set(request.id, 'acknowledge');
            await make(d, actorOf(d), 'serviceRequest.transition', {
              requestId: request.id,
              action: 'acknowledge',
            });
          } else if (request.status === 'acknowledged' && did === 'acknowledge') {
            handled.set(request.id, 'complete');
            await make(d, actorOf(d), 'serviceRequest.transition', {
              requestId: request.id,
              action: 'complete',
            });
          }
        }
      }
    };

    // ---- sampling ----------------------------------------------------------------------------
    const depths: DepthSample[] = [];
    const relayStates: Transition[] = [];
    const browserStates = new Map<string, Transition[]>();
    let lastHealth: RelayHealth | undefined;
    let browserDepths: Record<string, number> = {};
    let sampling = true;
    const sampler = (async () => {
      let lastBrowser = 0;
      while (sampling) {
        const health = await harness.relay.health().catch(() => undefined);
        if (health) {
          lastHealth = health;
          const last = relayStates[relayStates.length - 1];
          if (last?.state !== (health.connectivity as DeviceState))
            relayStates.push({ at: realNow(), state: health.connectivity as DeviceState });
        }
        if (actors && realNow() - lastBrowser > BROWSER_SAMPLE_MS) {
          lastBrowser = realNow();
          browserDepths = await actors.outboxDepths().catch(() => browserDepths);
          const states = await actors.states().catch(() => ({}) as Record<string, string>);
          for (const [page, state] of Object.entries(states)) {
            const list = browserStates.get(page) ?? [];
            if (list[list.length - 1]?.state !== state)
              list.push({
                at: realNow(),
                state: (state === 'live' ? 'online' : state) as DeviceState,
              });
            browserStates.set(page, list);
          }
        }
        const outbox: Record<string, number> = { ...browserDepths };
        for (const o of allOutboxes())
          if (!o.name.startsWith('phone-') || o.depth > 0) outbox[o.name] = o.depth;
        const phoneDepth = phones.reduce((sum, p) => sum + p.outbox.depth, 0);
        outbox.phones = phoneDepth;
        for (const p of phones) delete outbox[p.name];
        depths.push({ minute: minuteNow(), journal: lastHealth?.journalDepth ?? 0, outbox });
        await sleep(SAMPLE_MS);
      }
    })();

    // ---- the timeline ------------------------------------------------------------------------
    type Event = { at: number; what: string; run: () => Promise<void> | void };
    const events: Event[] = [];
    const at = (minute: number, what: string, run: Event['run']) =>
      events.push({ at: minute, what, run });
    at(OPENS - 4, 'drawers open', openDrawers);
    for (const party of allParties) {
      at(party.rounds[0]?.at ?? party.seatedAt, `${party.id} seated`, () => seat(party));
      party.rounds.forEach((round, r) => {
        if (r > 0) at(round.at, `${party.id} round ${r + 1}`, () => sendRound(party, r));
      });
      if (party.call) at(party.call.at, `${party.id} call`, () => callStaff(party));
      at(party.pays.at, `${party.id} pays`, () => pay(party));
    }
    for (const s of plan.soldOut) {
      at(s.from, `86 ${s.itemId}`, () => eightySix(s.itemId, false));
      at(s.to, `${s.itemId} back on`, () => eightySix(s.itemId, true));
    }
    at(CLOSES + 30, 'drawers counted', closeDrawers);
    at(CLOSES + 40, 'the night', () => {
      // The idle night is stretched so the business day ends (04:00) on a whole real minute,
      // the report's grain, after the last check closed: then the morning begins.
      const dayEnds = Math.ceil((Date.now() + 2_000) / 60_000) * 60_000;
      dayEndsAt = new Date(dayEnds);
      clock.stretch(realNow(), DAY_ENDS, realNow() + (dayEnds - Date.now()));
    });
    at(31 * 60 - 10, 'breakfast drawers open', openDrawers);
    at(MORNING - 10, 'breakfast drawers counted', closeDrawers);

    const outages: (Mutable<OutageResult> & { restoredAt: number; cutAt: number })[] = [];
    const wan = harness.proxy;
    const wifiProxy = wifi;
    const cut = async (o: (typeof OUTAGES)[number]) => {
      log(
        `${clockTime(o.from)} ${o.name}: ${o.link === 'wifi' ? 'the Wi-Fi drops' : 'the WAN is down'}`,
      );
      const cutAt = realNow();
      if (o.link === 'wifi') wifiProxy.cut();
      else {
        wan.cut();
        await processor.script({ networkDown: true });
      }
      const record = {
        name: o.name,
        link: o.link,
        from: o.from,
        to: o.to,
        replaySeconds: null,
        opsDuring: 0,
        cutAt,
        restoredAt: Number.NaN,
      };
      outages.push(record);
      if (o.to === MORNING) return;
      // Too short to matter at a high compression: the clock slows so the outage lasts at least
      // this long in real time (the devices' timeouts and backoffs are real).
      const minimum = MIN_OUTAGE_MS[o.link];
      if (clock.realAt(o.to) - realNow() < minimum)
        clock.stretch(realNow(), Math.max(o.to, minuteNow() + 0.1), realNow() + minimum);
      restoreAt.push({ outage: record, notBefore: realNow() + minimum });
    };
    let dayEndsAt: Date | undefined;
    const restoreAt: { outage: (typeof outages)[number]; notBefore: number }[] = [];
    const restore = async (record: (typeof outages)[number]) => {
      log(`${clockTime(record.to)} ${record.name} over`);
      record.restoredAt = realNow();
      if (record.to !== MORNING) clock.runAt(realNow(), options.compression);
      if (record.link === 'wifi') wifiProxy.restore();
      else {
        wan.restore();
        await processor.script({ networkDown: false });
        await processor.forward().catch(() => undefined);
      }
    };
    for (const o of OUTAGES) at(o.from, `${o.name}`, () => cut(o));
    at(DAY_ENDS + 1, 'the morning', () => {
      // Breakfast at the evening's pace would take long; the morning runs faster.
      clock.runAt(realNow(), options.compression * 6);
    });
    events.sort((a, b) => a.at - b.at);

    const failures: string[] = [];
    const runTicks = async () => {
      // Each waiting step runs on its own (a card at the reader does not hold up the kitchen).
      for (const w of [...waiting]) {
        if (w.busy) continue;
        w.busy = true;
        const done = (remove: boolean) => {
          w.busy = false;
          if (remove && waiting.includes(w)) waiting.splice(waiting.indexOf(w), 1);
        };
        w.try().then(done, (error: unknown) => {
          failures.push(`${w.what}: ${String(error)}`);
          done(true);
        });
      }
      await kitchenTick();
      await callsTick();
      for (let i = restoreAt.length - 1; i >= 0; i--) {
        const r = restoreAt[i];
        if (!r || realNow() < r.notBefore || minuteNow() < r.outage.to) continue;
        restoreAt.splice(i, 1);
        await restore(r.outage);
      }
    };

    actors?.start();
    let next = 0;
    let lastLog = 0;
    while (next < events.length || restoreAt.length > 0 || minuteNow() < MORNING) {
      const now = minuteNow();
      while (next < events.length && (events[next] as Event).at <= now) {
        const event = events[next++] as Event;
        try {
          await event.run();
        } catch (error) {
          failures.push(`${event.what}: ${String(error)}`);
        }
      }
      await runTicks();
      if (realNow() - lastLog > 10_000) {
        lastLog = realNow();
        const depth = allOutboxes().reduce((sum, o) => sum + o.depth, 0);
        log(
          `${clockTime(now)} ops ${opsOf(allOutboxes()).length}, outboxes ${depth}, journal ${lastHealth?.journalDepth ?? '?'}, relay ${lastHealth?.connectivity ?? '?'}, waiting ${waiting.length}`,
        );
      }
      await sleep(TICK_MS);
    }
    // The overnight outage ends at 09:00.
    const overnight = outages.find((o) => o.to === MORNING);
    if (overnight && Number.isNaN(overnight.restoredAt)) await restore(overnight);
    // From 09:00 the clock runs a simulated minute a real second, so the report shows the
    // reconcile and the drain on a scale a reader can see.
    clock.runAt(realNow(), 60);
    await actors?.stop();

    // ---- the drain ---------------------------------------------------------------------------
    log('09:00 everything drains');
    const drainUntil = realNow() + (options.variant === 'ten-x' ? 300_000 : 120_000);
    for (;;) {
      await runTicks();
      const health = await harness.relay.health().catch(() => undefined);
      const queued = allOutboxes().reduce((sum, o) => sum + o.depth, 0);
      const browserQueued = actors
        ? Object.values(await actors.outboxDepths().catch(() => ({ x: 1 }))).reduce(
            (a, b) => a + b,
            0,
          )
        : 0;
      const settled =
        health !== undefined &&
        (health.connectivity === 'online' || health.connectivity === 'recovered') &&
        health.journalDepth === 0;
      if (settled && queued === 0 && browserQueued === 0 && waiting.length === 0) break;
      if (realNow() > drainUntil) {
        failures.push(
          `did not drain: outboxes ${queued}, Chromium outboxes ${browserQueued}, journal ${health?.journalDepth}, relay ${health?.connectivity}, waiting: ${waiting
            .map((w) => w.what)
            .slice(0, 5)
            .join('; ')}`,
        );
        break;
      }
      await sleep(200);
    }
    // The cloud's feed reaches every follower: wait until the relay and the devices are quiet.
    await sleep(1_500);
    sampling = false;
    await sampler;

    // ---- the invariants ----------------------------------------------------------------------
    log('counting the invariants');
    const cloudFeed = await harness.cloudFeed();
    const cloudSet = await harness.cloudEntities();
    const relaySet = await harness.relayEntities();
    const seqs = firstSeqs(cloudFeed);
    const records = opsOf(allOutboxes());
    // What each op is about, a ticket's order included, and whether it could ride the payment
    // lane: a payment, or an op on a check a payment was made for after it.
    const ticketOrder = (id: string) => getEntity(cloudSet, 'ticket', id)?.orderId;
    const touchesOf = (op: Operation) => {
      // The dishes of an op's lines are read, not changed: two checks ordering fries are
      // independent of each other (as the relay's replay treats them).
      const lines = (op.payload as { lines?: { itemId?: string }[] }).lines ?? [];
      const dishes = new Set(lines.map((line) => line.itemId));
      const ids = opSubjects(op).filter((id) => !dishes.has(id));
      for (const id of [...ids]) {
        const order = ticketOrder(id);
        if (order) ids.push(order);
      }
      return ids;
    };
    // Journal order is the order the relay took them in: when each was answered, not made (a
    // card asked again after a lost answer is journaled when it went through).
    const takenAt = (r: { madeAt: number; answeredAt?: number }) => r.answeredAt ?? r.madeAt;
    // Every payment the cloud holds (the Chromium floor's too), when the deciding server took it.
    const epochOffset = Date.now() - realNow();
    const paymentsTaken = listEntities(cloudSet, 'payment').map(
      (p) => Date.parse(p.takenAt) - epochOffset,
    );
    /** A payment was taken after the op and before the op reached the cloud: a lane could carry it. */
    const laneCouldCarry = (r: OpRecord) => {
      const from = takenAt(r);
      const to = cloudWatch.firstSeen.get(r.op.opId) ?? Number.POSITIVE_INFINITY;
      return paymentsTaken.some((t) => t > from && t < to);
    };
    const made: MadeOp[] = records.map((r) => {
      const touches = touchesOf(r.op);
      return {
        opId: r.op.opId,
        type: r.op.type,
        device: r.device,
        touches,
        paymentLane: isPayment(r.op.type) || laneCouldCarry(r),
        acknowledged: r.outcome === 'applied' || r.outcome === 'accepted_local',
        changedNothing: r.seq === 0,
        stillQueued: r.outcome === undefined,
        serverMade: false,
      };
    });
    for (const c of cards)
      made.push({
        opId: c.paymentId,
        type: 'payment.card',
        device: c.device,
        touches: [c.paymentId, c.orderId],
        paymentLane: true,
        acknowledged: c.outcome === 'approved' || c.outcome === 'stored',
        changedNothing: false,
        stillQueued: false,
        serverMade: true,
      });
    const applied = new Set<string>();
    for (const op of made.filter((m) => m.acknowledged && m.changedNothing)) {
      const res = await harness.cloudOp(op.opId).catch(() => undefined);
      if (res?.status === 200 && /"status":"applied"/.test(res.text)) applied.add(op.opId);
    }
    const processorState = await processor.state();
    const charges = new Map<string, number>();
    for (const { paymentId } of processorState.charges)
      if (paymentId !== null) charges.set(paymentId, (charges.get(paymentId) ?? 0) + 1);

    const cloudFlat = flatten(cloudSet);
    const holders: Holder[] = [
      { name: 'relay', entities: flatten(relaySet), whole: true },
      ...[...staff, ...kitchens].map((d) => ({
        name: d.name,
        entities: flatten(d.follower.set),
        whole: false,
      })),
    ];
    if (actors)
      for (const [page, entities] of Object.entries(await actors.caches()))
        holders.push({ name: page, entities, whole: false });

    const money = moneyPairs(cloudSet, relaySet, tables, dayEndsAt ?? new Date());
    const invariants = [
      opsLost(made, seqs, applied),
      opsAppliedTwice(cloudFeed, charges),
      perDeviceOrderViolations(made, seqs),
      entitiesDiffering(cloudFlat, holders),
      moneyDiffering(money.pairs),
    ];
    if (failures.length > 0)
      invariants.push({
        name: 'driver failures',
        value: failures.length,
        means:
          'steps of the day the driver could not carry out (a crash, a hang or a refusal it did not expect)',
        examples: failures.slice(0, 5),
      });
    // A lost op's story, for whoever reads the log: what the relay and the cloud say of it.
    for (const op of made
      .filter((m) => m.acknowledged && !seqs.has(m.opId) && !applied.has(m.opId))
      .slice(0, 5)) {
      const atRelay = await harness.relayOp(op.opId).catch(() => undefined);
      const atCloud = await harness.cloudOp(op.opId).catch(() => undefined);
      log(
        `lost ${op.device} ${op.type} ${op.opId}: relay ${atRelay?.status} ${atRelay?.text.slice(0, 300)}; cloud ${atCloud?.status} ${atCloud?.text.slice(0, 300)}`,
      );
    }
    // An order violation's story: every answer each op of it got.
    for (const example of invariants[2]?.examples.slice(0, 2) ?? []) {
      for (const opId of example.match(/[0-9A-HJKMNP-TV-Z]{26}/g) ?? []) {
        const r = records.find((x) => x.op.opId === opId);
        const ticketId = (r?.op.payload as { ticketId?: string } | undefined)?.ticketId;
        const source = ticketId ? records.find((x) => ticketId.startsWith(x.op.opId)) : undefined;
        if (source)
          log(
            `  its ticket's send: ${source.device} ${source.op.type} ${source.op.opId} made at ${clockTime(source.minute)}, cloud seq ${seqs.get(source.op.opId)}: ${source.answers.join(' → ')}`,
          );
        const atRelay = await harness.relayOp(opId).catch(() => undefined);
        log(`  at the relay: ${atRelay?.text.slice(0, 200)}`);
        for (const line of harness.relay
          .logLines()
          .filter((l) => JSON.stringify(l).includes(opId))
          .slice(0, 6))
          log(`  relay log: ${JSON.stringify(line).slice(0, 300)}`);
        if (r)
          log(
            `order: ${r.device} ${r.op.type} ${opId} made at ${clockTime(r.minute)}, sent ${r.sends}×: ${r.answers.join(' → ')} ${JSON.stringify(r.op.payload).slice(0, 120)}`,
          );
      }
    }
    const rejected = records.filter((r) => r.outcome === 'rejected');
    if (rejected.length > 0)
      log(
        `rejected ops (final, shown to the person): ${rejected.length}; first: ${rejected
          .slice(0, 5)
          .map((r) => `${r.device} ${r.op.type} ${r.code}`)
          .join('; ')}`,
      );

    // ---- the figures -------------------------------------------------------------------------
    for (const outage of outages) {
      const lanDuring = (r: { madeAt: number }) =>
        r.madeAt >= outage.cutAt && r.madeAt <= outage.restoredAt;
      const during = records.filter(
        (r) => lanDuring(r) && !r.device.startsWith('phone-') && r.outcome !== 'rejected',
      );
      outage.opsDuring = during.length + cards.filter(lanDuring).length;
      const doneAt = during.map((r) =>
        outage.link === 'wifi'
          ? r.answeredAt
          : (cloudWatch.firstSeen.get(r.op.opId) ?? (r.seq === 0 ? r.answeredAt : undefined)),
      );
      outage.replaySeconds =
        doneAt.some((t) => t === undefined) || Number.isNaN(outage.restoredAt)
          ? null
          : Math.max(0, ...doneAt.map((t) => ((t as number) - outage.restoredAt) / 1000));
    }
    const kitchenSeen = (opId: string): number | undefined => {
      let first: number | undefined;
      for (const k of kitchens) {
        const t = k.follower.firstSeen.get(opId);
        if (t !== undefined && (first === undefined || t < first)) first = t;
      }
      return first;
    };
    const opsPerMinute = perMinute(records, cards);
    const latency = latencyWindows(
      records,
      (r) => kitchenSeen(r.op.opId),
      (r) => cloudWatch.firstSeen.get(r.op.opId),
    );
    const connectivity: ConnectivityTrack[] = [
      { party: 'relay', spans: spansOf(relayStates, clock, realNow()) },
      ...[...staff, ...kitchens].map((d) => ({
        party: d.name,
        spans: spansOf(mergeStates(d.outbox.transitions, d.follower.transitions), clock, realNow()),
      })),
      ...[...browserStates].map(([page, list]) => ({
        party: page,
        spans: spansOf(list, clock, realNow()),
      })),
    ];
    const browserCounts = actors?.counts() ?? {};
    const result: VenueDayResult = {
      title: `A day of service — ${options.variant === 'ten-x' ? 'at 10× the load' : options.variant === 'short' ? 'short version' : 'full day'}`,
      startedAt: startedAt.toISOString(),
      realSeconds: (realNow() - began) / 1000,
      machine: machine(),
      options: {
        compression: options.compression,
        rate: options.rate,
        seed: options.seed,
        variant: options.variant,
      },
      totals: {
        covers: coversOf(plan),
        parties: plan.parties.length,
        ops:
          records.length +
          cards.length +
          Object.values(browserCounts).reduce((sum, c) => sum + c.done, 0),
        kitchenSends: records.filter((r) => sendsToKitchen(r.op)).length,
        devices: {
          'staff (scripted)': staff.length,
          'kitchen displays (scripted)': kitchens.length,
          'guest phones (scripted)': phones.length,
          ...(actors ? { 'Chromium pages': Object.keys(actors.pages).length } : {}),
        },
        browserPages: Object.fromEntries(
          Object.entries(actors?.pages ?? {}).reduce(
            (m, [, role]) => m.set(role, (m.get(role) ?? 0) + 1),
            new Map<string, number>(),
          ),
        ),
        money: money.totals,
      },
      opsPerMinute,
      latency,
      // Sampled four times a second; a thousand points draw the chart as well.
      depths: depths.filter((_, i) => i % Math.ceil(depths.length / 1_000) === 0),
      connectivity,
      outages: outages.map(({ cutAt: _c, restoredAt: _r, ...o }) => o),
      invariants,
    };
    log(
      `done in ${result.realSeconds.toFixed(0)} s: ${result.totals.ops} ops; invariants ${invariants
        .map((i) => `${i.name} ${i.value}`)
        .join(', ')}`,
    );
    return result;
  } finally {
    for (const stop of stops) stop();
    if (options.relayLog && h)
      writeFileSync(
        options.relayLog,
        h.relay
          .logLines()
          .map((line) => JSON.stringify(line))
          .join('\n'),
      );
    await actors?.close().catch(() => undefined);
    await wifi?.close().catch(() => undefined);
    await h?.close();
    await processor.stop().catch(() => undefined);
    await stopAllProcessors();
  }
}

// ---------------------------------------------------------------------------------------------

/** A guest's token for a table, as scanning its QR card gives one. */
async function guestToken(cloud: string, table: string): Promise<{ token: string; sub: string }> {
  const res = await call(`${cloud}/v1/auth/guest`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ venueId: VENUE, table }),
  });
  if (res.status !== 200) throw new Error(`guest sign-in: ${res.status}`);
  const token = (JSON.parse(res.text) as { token: string }).token;
  const claims = JSON.parse(
    Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
  ) as { sub: string };
  return { token, sub: claims.sub };
}

function orderIdOf(op: Pick<Operation, 'payload'>): string | undefined {
  const payload = op.payload as { orderId?: unknown; ticketId?: unknown };
  return typeof payload.orderId === 'string' ? payload.orderId : undefined;
}

function sendsToKitchen(op: Operation): boolean {
  if (op.type === 'order.sendToKitchen') return true;
  const payload = op.payload as { send?: unknown };
  return (op.type === 'order.create' || op.type === 'order.addLines') && payload.send !== undefined;
}

function perMinute(records: readonly OpRecord[], cards: readonly CardRecord[]): OpsMinute[] {
  const byMinute = new Map<number, Record<string, number>>();
  const count = (minute: number, kind: string) => {
    const m = Math.floor(minute);
    const row = byMinute.get(m) ?? {};
    row[kind] = (row[kind] ?? 0) + 1;
    byMinute.set(m, row);
  };
  for (const r of records) count(r.minute, r.op.type);
  for (const c of cards) count(c.minute, 'payment.card');
  return [...byMinute].sort((a, b) => a[0] - b[0]).map(([minute, byKind]) => ({ minute, byKind }));
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

function latencyWindows(
  records: readonly OpRecord[],
  toKitchen: (r: OpRecord) => number | undefined,
  toCloud: (r: OpRecord) => number | undefined,
): LatencyWindow[] {
  const WINDOW = 10;
  const windows = new Map<number, { kitchen: number[]; cloud: number[] }>();
  for (const r of records) {
    const w = Math.floor(r.minute / WINDOW) * WINDOW;
    const row = windows.get(w) ?? { kitchen: [], cloud: [] };
    const k = sendsToKitchen(r.op) ? toKitchen(r) : undefined;
    if (k !== undefined) row.kitchen.push(k - r.madeAt);
    const c = toCloud(r);
    if (c !== undefined) row.cloud.push(c - r.madeAt);
    windows.set(w, row);
  }
  const stats = (values: number[]) => ({
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    n: values.length,
  });
  return [...windows]
    .sort((a, b) => a[0] - b[0])
    .map(([minute, row]) => ({ minute, toKitchen: stats(row.kitchen), toCloud: stats(row.cloud) }));
}

/** A device's state from its outbox and its live socket: offline when either is. */
function mergeStates(outbox: readonly Transition[], socket: readonly Transition[]): Transition[] {
  const events = [
    ...outbox.map((t) => ({ ...t, from: 'outbox' as const })),
    ...socket.map((t) => ({ ...t, from: 'socket' as const })),
  ].sort((a, b) => a.at - b.at);
  let o: DeviceState = 'online';
  let s: DeviceState = 'online';
  const out: Transition[] = [];
  for (const e of events) {
    if (e.from === 'outbox') o = e.state;
    else s = e.state;
    const state: DeviceState = o === 'offline' || s === 'offline' ? 'offline' : o;
    if (out[out.length - 1]?.state !== state) out.push({ at: e.at, state });
  }
  return out;
}

function spansOf(list: readonly Transition[], clock: DayClock, end: number) {
  return list.map((t, i) => ({
    from: clock.minuteAt(t.at),
    to: clock.minuteAt(list[i + 1]?.at ?? end),
    state: t.state,
  }));
}

function machine() {
  const cpu = cpus();
  return {
    cores: cpu.length,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpu: cpu[0]?.model ?? 'unknown',
    platform: `${process.platform} ${process.arch}`,
  };
}

/**
 * The money checks: the end-of-day report of the cloud (and of the relay) for the service's
 * business day against the checks closed that day and the payments the tills were told went
 * through, and the next morning's report against the breakfasts.
 */
function moneyPairs(
  cloud: EntitySet,
  relay: EntitySet,
  tables: ReadonlyMap<string, Table>,
  dayEndsAt: Date,
) {
  const dayStarts = new Date(dayEndsAt.getTime() - 86_400_000);
  // A card payment is pushed once approved or stored; a cash one once its op was answered.
  const wentThrough = (p: Table['payments'][number]) =>
    p.record === undefined ||
    p.record.outcome === 'applied' ||
    p.record.outcome === 'accepted_local';
  const options = (at: Date) => ({
    date: at.toISOString().slice(0, 10),
    timezone: 'UTC',
    dayStartsAtMinutes: dayEndsAt.getUTCHours() * 60 + dayEndsAt.getUTCMinutes(),
    cashRoundingIncrement: 5,
  });
  const input = (set: EntitySet) => ({
    orders: listEntities(set, 'order'),
    payments: listEntities(set, 'payment'),
    refunds: listEntities(set, 'refund'),
    drawers: listEntities(set, 'drawer'),
  });
  const evening = dayReport(input(cloud), options(dayStarts));
  const morning = dayReport(input(cloud), options(dayEndsAt));
  const relayEvening = dayReport(input(relay), options(dayStarts));
  // The same sums taken straight from the entities, by the instants that bound the day.
  const within = (at: string | null | undefined, from: Date, to: Date) =>
    at !== null &&
    at !== undefined &&
    Date.parse(at) >= from.getTime() &&
    Date.parse(at) < to.getTime();
  const nextDay = new Date(dayEndsAt.getTime() + 86_400_000);
  const closedIn = (from: Date, to: Date) =>
    listEntities(cloud, 'order').filter(
      (o) => o.status === 'closed' && within(o.closedAt, from, to),
    );
  const paidIn = (from: Date, to: Date) =>
    listEntities(cloud, 'payment')
      .filter((p) => !p.status.startsWith('declined') && within(p.takenAt, from, to))
      .reduce((s, p) => s + p.amount, 0);
  const sum = (orders: readonly Order[]) => orders.reduce((s, o) => s + o.totals.total, 0);
  // What the scripted tills were told went through, against what the cloud holds of those.
  const told = [...tables.values()].flatMap((t) => t.payments.filter(wentThrough));
  const toldIds = new Set(told.map((p) => p.paymentId));
  const heldOfTold = listEntities(cloud, 'payment')
    .filter((p) => toldIds.has(p.id))
    .reduce((s, p) => s + p.amount, 0);
  const eveningChecks = closedIn(dayStarts, dayEndsAt);
  const morningChecks = closedIn(dayEndsAt, nextDay);
  const tips = told.reduce((s, p) => s + p.tip, 0);
  const pairs = [
    {
      what: "the evening's checks closed (count)",
      expected: eveningChecks.length,
      actual: evening.checks.closed,
    },
    {
      what: "the evening's checks (sum of their totals)",
      expected: sum(eveningChecks),
      actual: evening.checks.total,
    },
    {
      what: "the evening's payments",
      expected: paidIn(dayStarts, dayEndsAt),
      actual: evening.sales.total,
    },
    {
      what: "the evening's balance (payments − rounding − checks)",
      expected: 0,
      actual: evening.balance.difference,
    },
    {
      what: "the evening's drawers (counted − expected)",
      expected: 0,
      actual: evening.drawerDifference,
    },
    {
      what: "the relay's evening report against the cloud's",
      expected: evening.sales.total,
      actual: relayEvening.sales.total,
    },
    {
      what: "the morning's checks (sum of their totals)",
      expected: sum(morningChecks),
      actual: morning.checks.total,
    },
    {
      what: "the morning's payments",
      expected: paidIn(dayEndsAt, nextDay),
      actual: morning.sales.total,
    },
    {
      what: 'the payments the tills were told went through',
      expected: told.reduce((s, p) => s + p.amount, 0),
      actual: heldOfTold,
    },
  ];
  return {
    pairs,
    totals: {
      currency: evening.currency ?? 'EUR',
      checksTotal: sum(eveningChecks),
      reportTotal: evening.sales.total,
      cash: evening.sales.cash,
      card: evening.sales.card + evening.sales.cardStored + evening.sales.approvedLater,
      tips,
    },
  };
}
