import type { Locator, Page } from 'playwright-core';
import { waitFor } from '../../support/wait-for.ts';

// What a server does on the floor app, as steps a drill reads like: sign in with a PIN, open a
// table from the floor plan, add a dish from the pad, send, and read this device's changes on
// the Sync view (each op with its data-op and data-status).

/** Taps the PIN on the pad and Sign in (or Switch, when someone is signed in). */
export async function enterPin(page: Page, pin: string): Promise<void> {
  for (const digit of pin) await page.locator(`hearth-pin-pad [data-key="${digit}"]`).click();
  await page.locator('hearth-pin-pad [data-sign-in]').click();
}

export async function signIn(page: Page, pin: string): Promise<void> {
  await enterPin(page, pin);
  await page.locator('hearth-floor-page [data-signed-in]').waitFor();
}

/** Hands the tablet to the next person: Switch user, their PIN. */
export async function switchUser(page: Page, pin: string): Promise<void> {
  await page.locator('hearth-floor-page [data-action="switch"]').click();
  await enterPin(page, pin);
  await page.locator('hearth-floor-page nav').waitFor();
}

export async function showView(page: Page, view: string): Promise<void> {
  await page.locator(`hearth-floor-page nav [data-view="${view}"]`).click();
}

/** The floor plan's tiles, in label order. */
export function tiles(page: Page): Locator {
  return page.locator('hearth-floor-plan button[data-table]');
}

/** Opens the nth table on the floor plan (0-based); answers its id. */
export async function openTable(page: Page, nth = 0): Promise<string> {
  await showView(page, 'floor');
  const tile = tiles(page).nth(nth);
  const tableId = (await tile.getAttribute('data-table')) ?? '';
  await tile.click();
  await page.locator('hearth-order-pad').waitFor();
  return tableId;
}

/** Adds a dish that needs no choice to the pad's draft; answers its item id. */
export async function addDish(page: Page, nth = 0): Promise<string> {
  const dish = page
    .locator('hearth-order-pad button.dish:not([disabled])')
    .filter({ hasNotText: 'choices' })
    .nth(nth);
  const itemId = (await dish.getAttribute('data-item')) ?? '';
  // The pad's rules load just after it paints: a tap before then adds nothing, so tap again.
  const drafts = page.locator('hearth-order-pad li.line[data-where="draft"]');
  const before = await drafts.count();
  await waitFor(
    `the pad taking dish ${itemId}`,
    async () => {
      await dish.click();
      return (await drafts.count()) > before;
    },
    { timeoutMs: 5_000, intervalMs: 100 },
  );
  return itemId;
}

/**
 * Sends every new line to the kitchen: one op, `order.create` with its send for a new order,
 * `order.addLines` with its send for one already open.
 */
export async function sendAll(page: Page): Promise<void> {
  await page.locator('hearth-order-pad [data-action="send-all"]').click();
}

/** The Sync view's list of this device's ops, newest first. */
export function opList(page: Page): Locator {
  return page.locator('hearth-floor-page hearth-op-list li');
}

/** Opens a table, adds one dish and sends it: a whole order in three taps, and one op. */
export async function orderAndSend(page: Page, nth = 0): Promise<string> {
  const tableId = await openTable(page, nth);
  await addDish(page);
  await sendAll(page);
  await page.locator('hearth-order-pad li.line[data-stage]').first().waitFor();
  return tableId;
}
