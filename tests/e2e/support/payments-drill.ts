import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { decodeBase64Url, type FeedEntry, newUlid } from '#protocol';
import type { PairedDevice } from './cloud-client.ts';
import { call, type Http, venuePath } from './relay-process.ts';

// Steps of the payments drill (payments-outage.test.ts): card payments at a relay or cloud as
// the floor app takes them, the checks they pay, and what the card-data scan reads.

/** `POST /v1/venues/:venueId/payments/card`, as a floor tablet sends it (bearer + device). */
export interface CardAttempt {
  readonly paymentId: string;
  readonly orderId: string;
  readonly amount: number;
  readonly tip: number;
  readonly deviceId: string;
}

/** The answer's body (200/202): see server/payments/payment-service.ts. */
export interface CardAnswer {
  readonly outcome: 'approved' | 'declined' | 'stored' | 'timed_out';
  readonly payment?: {
    readonly paymentId: string;
    readonly amount: number;
    readonly tip: number;
    readonly brand: string | null;
    readonly last4: string | null;
    readonly status: string;
    readonly declineCode: string | null;
  };
  readonly result?: { readonly opId: string; readonly status: string; readonly code?: string };
}

export function takeCard(
  base: string,
  token: string,
  device: PairedDevice,
  attempt: CardAttempt,
): Promise<Http> {
  return call(`${base}${venuePath('/payments/card')}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${token}`,
      ...device.header,
    },
    body: JSON.stringify(attempt),
  });
}

/** A check's lines: steak frites (26.50) three to five times and a burrata (12.50). */
export function checkLines(i: number): { lineId: string; itemId: string; quantity: number }[] {
  return [
    { lineId: newUlid(), itemId: 'steak-frites', quantity: 3 + (i % 3) },
    { lineId: newUlid(), itemId: 'burrata', quantity: 1 },
  ];
}

/** Forty soups of the day (7.50): a check of exactly 300.00, over the per-payment limit. */
export function bigCheckLines(): { lineId: string; itemId: string; quantity: number }[] {
  return [{ lineId: newUlid(), itemId: 'soup-of-the-day', quantity: 40 }];
}

/** Tips: every other payment 5.00, else none (the totals count them). */
export const tipOf = (i: number): number => (i % 2 === 0 ? 0 : 500);

/** A staff token's claims (its payload, not verified: the test only reads who it names). */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = decodeBase64Url(token.split('.')[1] ?? '');
  if (payload === undefined) throw new Error('not a token');
  return JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
}

/** The feed entries some op made, by opId. */
export function entriesOf(feed: readonly FeedEntry[], opIds: ReadonlySet<string>): FeedEntry[] {
  return feed.filter((e) => e.opId !== undefined && opIds.has(e.opId));
}

/** Upserts of one entity kind per id (a string kind: the feed may carry kinds its type lacks). */
export function upsertsOf(feed: readonly FeedEntry[], kind: string): Map<string, FeedEntry[]> {
  const out = new Map<string, FeedEntry[]>();
  for (const e of feed) {
    if ((e.entity as string) !== kind || e.op !== 'upsert') continue;
    const list = out.get(e.id) ?? [];
    list.push(e);
    out.set(e.id, list);
  }
  return out;
}

/** Every file under `dir` (relative paths), for naming what a scan read. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}
