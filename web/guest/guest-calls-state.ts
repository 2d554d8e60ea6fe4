import type { ServiceRequest } from '#protocol';
import type { OpStatus } from '../app/outbox-reader.ts';
import { OP_STATUS_LABEL, WAITING_LABEL } from '../app/sync-labels.ts';

/*
 * What the guest's two call buttons show, pure: per kind (call a waiter, ask for the bill)
 *
 *   idle ──press──▶ sent ("Waiter called at 20:14") ──acknowledged──▶ on the way
 *     ▲                │                                                │
 *     └── done / cancelled (or the op failed) ◀─────────────────────────┘
 *
 * from the table's service requests (the local view: the feed's copy with this device's
 * unsent ops decided on top), the calls this device made (with their ops' sync state) and the
 * time. After a call the button rests for the venue's cooldown; while a request of that kind is
 * open or acknowledged the button says so instead of offering a second one.
 */

export type CallKind = 'call_waiter' | 'bill';

export const CALL_KINDS: readonly CallKind[] = ['call_waiter', 'bill'];

/** A service request as the buttons read it (a `ServiceRequest` fits as is). */
export type CallRequest = Pick<ServiceRequest, 'id' | 'tableId' | 'kind' | 'status' | 'createdAt'>;

/** A call this device made, with its op's state as the outbox tells it. */
export interface OwnCall {
  readonly kind: CallKind;
  readonly requestId: string;
  /** Device time of the press, ms. */
  readonly at: number;
  readonly status: 'sending' | OpStatus;
  readonly detail?: string;
  readonly waiting?: boolean;
}

/** The part of the venue's settings the buttons need (a protocol `Settings` fits). */
export interface CallSettings {
  readonly guestOrdering?: { readonly callCooldownSec: number } | undefined;
}

/** protocol's DEFAULT_GUEST_ORDERING.callCooldownSec, kept here so zod stays out of this chunk. */
export const DEFAULT_CALL_COOLDOWN_SEC = 60;

/** `guestOrderingOf(settings).callCooldownSec`, without loading the settings schema. */
export const cooldownSecOf = (settings: CallSettings | undefined): number =>
  settings?.guestOrdering?.callCooldownSec ?? DEFAULT_CALL_COOLDOWN_SEC;

export interface CallInputs {
  readonly tableId: string;
  readonly requests: readonly CallRequest[];
  /** This device's calls, oldest first. */
  readonly own: readonly OwnCall[];
  /** Device time, ms. */
  readonly now: number;
  readonly cooldownSec: number;
  /** A time of day in words ("20:14"). */
  readonly clock: (ms: number) => string;
}

export type CallPhase = 'idle' | 'sent' | 'on_the_way';

export interface CallView {
  readonly kind: CallKind;
  /** The button's words. */
  readonly action: string;
  readonly phase: CallPhase;
  /** Whether pressing the button makes a call now. */
  readonly available: boolean;
  /** The line under the button ("Waiter called at 20:14", "You can call again in 42 s"). */
  readonly status: string | null;
  /** Where the call's op stands, when it is not simply delivered ("not sent yet — …"). */
  readonly sync: string | null;
  /** Cooldown left, whole seconds (0 when none). */
  readonly secondsLeft: number;
  /** What a screen reader hears when this state is new; no countdown in it but the first. */
  readonly announce: string;
}

interface Words {
  readonly action: string;
  readonly sent: (time: string) => string;
  readonly onTheWay: string;
  readonly done: string;
  readonly cancelled: string;
  readonly again: (seconds: number) => string;
  readonly ready: string;
}

export const CALL_WORDS: Readonly<Record<CallKind, Words>> = {
  call_waiter: {
    action: 'Call a waiter',
    sent: (time) => `Waiter called at ${time}`,
    onTheWay: 'On the way — a member of staff is coming to your table',
    done: 'A member of staff has answered your call',
    cancelled: 'Your call was cancelled',
    again: (s) => `You can call again in ${s} s`,
    ready: 'You can call a waiter again',
  },
  bill: {
    action: 'Ask for the bill',
    sent: (time) => `Bill asked for at ${time}`,
    onTheWay: 'On the way — a member of staff is bringing your bill',
    done: 'Your bill request has been seen to',
    cancelled: 'Your bill request was cancelled',
    again: (s) => `You can ask again in ${s} s`,
    ready: 'You can ask for the bill again',
  },
};

/** An op not yet delivered, in sync-labels' words; a queued one says when it will go. */
export function syncWordsOf(call: OwnCall): string | null {
  if (call.waiting) return WAITING_LABEL;
  switch (call.status) {
    case 'synced':
      return null;
    case 'pending':
      return `${OP_STATUS_LABEL.pending} — will send when you’re back online`;
    case 'failed':
      return call.detail ? `${OP_STATUS_LABEL.failed}: ${call.detail}` : OP_STATUS_LABEL.failed;
    default:
      return OP_STATUS_LABEL[call.status];
  }
}

const latest = <T>(items: readonly T[]): T | undefined => items[items.length - 1];

const createdMs = (request: CallRequest): number => Date.parse(request.createdAt) || 0;

const capital = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** Parts said one after the other, each a sentence. */
const sentence = (...parts: (string | null)[]): string =>
  parts
    .filter((p): p is string => !!p)
    .map((p) => capital(/[.!?…]$/.test(p) ? p : `${p}.`))
    .join(' ');

/** One button's state. */
export function callViewOf(kind: CallKind, input: CallInputs): CallView {
  const words = CALL_WORDS[kind];
  const requests = input.requests.filter((r) => r.kind === kind && r.tableId === input.tableId);
  const own = input.own.filter((c) => c.kind === kind);
  const ownOf = (id: string) => own.find((c) => c.requestId === id);
  const base = { kind, action: words.action, secondsLeft: 0 };

  const active = requests
    .filter((r) => r.status === 'open' || r.status === 'acknowledged')
    .sort((a, b) => createdMs(a) - createdMs(b));
  const acknowledged = latest(active.filter((r) => r.status === 'acknowledged'));
  if (acknowledged) {
    const status = words.onTheWay;
    return {
      ...base,
      phase: 'on_the_way',
      available: false,
      status,
      sync: null,
      announce: sentence(status),
    };
  }
  const last = latest(own);
  const known = last ? requests.find((r) => r.id === last.requestId) : undefined;
  // Made here and not in the copy yet: still queued, or the feed is behind.
  const unseen = last && !known && last.status !== 'failed' ? last : undefined;
  const open = latest(active);
  const mine = unseen ?? (open ? ownOf(open.id) : undefined);
  if (open || mine) {
    const at = mine?.at ?? (open ? createdMs(open) : input.now);
    const status = words.sent(input.clock(at));
    const sync = mine ? syncWordsOf(mine) : null;
    return {
      ...base,
      phase: 'sent',
      available: false,
      status,
      sync,
      announce: sentence(status, sync),
    };
  }

  // Idle: say how the last call ended, and rest for the cooldown after one that went.
  const ended =
    last?.status === 'failed'
      ? syncWordsOf(last)
      : known?.status === 'done'
        ? words.done
        : known?.status === 'cancelled'
          ? words.cancelled
          : null;
  const until = last && last.status !== 'failed' ? last.at + input.cooldownSec * 1000 : 0;
  const secondsLeft = Math.max(0, Math.ceil((until - input.now) / 1000));
  if (secondsLeft > 0) {
    const status = words.again(secondsLeft);
    return {
      ...base,
      phase: 'idle',
      available: false,
      status,
      sync: null,
      secondsLeft,
      announce: sentence(ended, status),
    };
  }
  return {
    ...base,
    phase: 'idle',
    available: true,
    status: ended,
    sync: null,
    announce: last ? sentence(ended, words.ready) : '',
  };
}

/** Both buttons, waiter first. */
export const callViewsOf = (input: CallInputs): CallView[] =>
  CALL_KINDS.map((kind) => callViewOf(kind, input));

const keyOf = (v: CallView): string => `${v.phase}|${v.available}|${v.sync ?? ''}`;

/**
 * What to announce when the buttons change: the new state's words for each button whose phase,
 * availability or sync state moved (a countdown's tick is not news). Nothing on the first look.
 */
export function announcementOf(
  before: readonly CallView[] | undefined,
  after: readonly CallView[],
): string | undefined {
  if (!before) return undefined;
  const news = after
    .filter((v) => {
      const was = before.find((b) => b.kind === v.kind);
      return !was || keyOf(was) !== keyOf(v);
    })
    .map((v) => v.announce)
    .filter((text) => text !== '');
  return news.length > 0 ? news.join(' ') : undefined;
}

/** The `serviceRequest.create` payload for a call (protocol/ops/payloads/service-request-create.ts). */
export const callPayload = (requestId: string, tableId: string, kind: CallKind) => ({
  requestId,
  tableId,
  kind,
});
