import * as z from 'zod';
import { DEFAULT_OFFLINE_CARD_LIMITS, OfflineCardPolicy } from '../domain/offline-card-limits.ts';
import { EntityId } from '../ids/entity-id.ts';
import { BasisPoints, CurrencyCode } from '../money/money.ts';

export const Station = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
  name: z.string().min(1).max(60),
});
export type Station = z.infer<typeof Station>;

/**
 * Settings written before the offline card limits had per-device and per-venue totals
 * (`perTransactionLimit`, `perDayLimit`, `requireManagerApproval`) read as the limits they
 * meant: the same switch and per-transaction limit, the rest the defaults.
 */
function upgradeOfflineCard(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('perTransactionLimit' in value))
    return value;
  const old = value as { enabled?: unknown; perTransactionLimit?: unknown };
  const perTransaction =
    typeof old.perTransactionLimit === 'number'
      ? old.perTransactionLimit
      : DEFAULT_OFFLINE_CARD_LIMITS.perTransaction;
  return {
    ...DEFAULT_OFFLINE_CARD_LIMITS,
    enabled: old.enabled === true,
    perTransaction,
    withManagerApproval: Math.max(perTransaction, DEFAULT_OFFLINE_CARD_LIMITS.withManagerApproval),
  };
}

/** How guests order from the table's QR code. */
export const GuestOrdering = z.object({
  /** Guest orders wait for a member of staff to send them to the kitchen. */
  approval: z.boolean(),
  /** Guests may write a note on a line ("no ice", "nut allergy"). */
  lineNotes: z.boolean(),
  /** Seconds before a guest may call a waiter or ask for the bill again. */
  callCooldownSec: z.number().int().min(0).max(3600),
});
export type GuestOrdering = z.infer<typeof GuestOrdering>;

/** What a venue that set nothing gets: guest orders go straight to the kitchen. */
export const DEFAULT_GUEST_ORDERING: GuestOrdering = {
  approval: false,
  lineNotes: true,
  callCooldownSec: 60,
};

/** The venue's guest ordering rules, the defaults where the settings predate them. */
export function guestOrderingOf(settings: Pick<Settings, 'guestOrdering'>): GuestOrdering {
  return settings.guestOrdering ?? DEFAULT_GUEST_ORDERING;
}

/** Tenant-wide settings; the id is the tenant's. Written into every venue's stream. */
export const Settings = z.object({
  id: EntityId,
  currency: CurrencyCode,
  taxRateBps: BasisPoints,
  taxInclusive: z.boolean(),
  /** Cash totals round to this many minor units; 1 means no cash rounding. */
  cashRoundingIncrement: z.number().int().min(1).max(100),
  /** Kitchen display colours: green until warn, orange until late, then red. */
  kitchenTimers: z
    .object({ warnAfterSec: z.number().int().min(1), lateAfterSec: z.number().int().min(1) })
    .refine((t) => t.lateAfterSec > t.warnAfterSec, 'lateAfterSec must exceed warnAfterSec'),
  stations: z.array(Station).min(1).max(20),
  /** Card payments taken offline by the processor's store-and-forward: off by default. */
  offlineCard: z.preprocess(upgradeOfflineCard, OfflineCardPolicy),
  /** Absent in settings made before guest ordering: {@link DEFAULT_GUEST_ORDERING}. */
  guestOrdering: GuestOrdering.optional(),
  version: z.number().int().min(1),
});
export type Settings = z.infer<typeof Settings>;
