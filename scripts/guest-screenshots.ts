// The guest app's screenshots for `npm run screenshots` (scripts/screenshots.ts): a phone at
// 390×844 on the cloud's origin, as a guest on mobile data sees it at table 5.
//
//   menu        signed in from the QR code's URL, the menu by category
//   modifiers   the burger's sheet: cooking chosen, two extras, the price with them
//   basket      three dishes, the running total with tax
//   status      the order placed, the kitchen cooking the fries and the burrata ready
//   offline     the phone offline: a second order waits, "not sent yet"
//   sold-out    the kitchen 86'd the fries: greyed on the menu, the basket line warns
//   pay         "Pay the bill": the pay sheet, the bill line by line, a 10 % tip chosen
//   checkout    the test card processor's own payment page (the card is typed there)
//   receipt     back from it: the payment confirmed, the receipt

import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { listEntities } from '#protocol';
import { type PairedDevice, pairWithCloud } from '../tests/e2e/support/cloud-client.ts';
import type { VenueHarness } from '../tests/e2e/support/relay-process.ts';
import { REPO_ROOT } from '../tests/e2e/support/web-build.ts';
import { opAs, post, signIn } from '../tests/support/kitchen-orders.ts';

const PHONE = { width: 390, height: 844 } as const;
const TABLE = { label: '5', id: 'table-5' } as const;
const WAIT_MS = 30_000;

/** Saves the page as docs/screenshots/guest-<name>.png; returns the file. */
async function shoot(page: Page, out: string, name: string): Promise<string> {
  // Two frames, so what the last change rendered is on screen.
  await page.evaluate(
    'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))',
  );
  const file = join(out, `guest-${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  console.log(`${file.slice(REPO_ROOT.length)}  ${(statSync(file).size / 1024).toFixed(0)} KB`);
  return file;
}

async function addDish(page: Page, itemId: string, choose: readonly string[] = []) {
  await page.locator(`[data-item="${itemId}"]`).first().click();
  for (const modifier of choose) await page.locator(`[data-modifier="${modifier}"]`).click();
  await page.locator('hearth-item-sheet button.add').click();
}

/** A tablet paired with the demo venue at the cloud, where staff sign in (decision 034). */
let tablet: Promise<PairedDevice> | undefined;
async function cloudTablet(venue: VenueHarness): Promise<Readonly<Record<string, string>>> {
  tablet ??= pairWithCloud(venue.cloud.url, venue.cloud.keysFile);
  return (await tablet).header;
}

async function kitchenDoes(venue: VenueHarness, itemStation: string, action: string) {
  const cook = await signIn(venue.cloud.url, 'kitchen', await cloudTablet(venue));
  const tickets = listEntities(await venue.cloudEntities(), 'ticket').filter(
    (t) => t.tableId === TABLE.id && t.station === itemStation,
  );
  for (const ticket of tickets)
    await post(
      venue.cloud.url,
      cook,
      await opAs(cook, 'screenshots-kitchen', 'ticket.transition', { ticketId: ticket.id, action }),
    );
}

/** The guest screens, in order; every file written is returned. */
export async function guestScreens(
  venue: VenueHarness,
  browser: Browser,
  out: string,
): Promise<string[]> {
  const written: string[] = [];
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1 });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${venue.cloud.url}/guest/?venue=demo-bistro&table=${TABLE.label}`);
    await page.waitForFunction('navigator.serviceWorker.ready.then(() => true)');
    await page.reload();
    await page.locator('[data-item="burger"]').first().waitFor();
    written.push(await shoot(page, out, 'menu'));

    await page.locator('[data-item="burger"]').first().click();
    for (const modifier of ['medium-rare', 'extra-cheese', 'add-bacon'])
      await page.locator(`[data-modifier="${modifier}"]`).click();
    written.push(await shoot(page, out, 'modifiers'));
    await page.locator('hearth-item-sheet button.add').click();

    await addDish(page, 'fries');
    await addDish(page, 'burrata');
    await page.locator('[data-action="view-basket"]').click();
    written.push(await shoot(page, out, 'basket'));

    await page.locator('hearth-guest-basket button.place').click();
    await page.locator('hearth-guest-status [data-order]').first().waitFor();
    await kitchenDoes(venue, 'fry', 'start');
    await kitchenDoes(venue, 'cold', 'start');
    await kitchenDoes(venue, 'cold', 'ready');
    await page.locator('hearth-guest-status li[data-stage="ready"]').first().waitFor();
    await page.locator('hearth-guest-status').scrollIntoViewIfNeeded();
    written.push(await shoot(page, out, 'status'));

    await context.setOffline(true);
    await addDish(page, 'lemonade');
    await page.locator('[data-action="view-basket"]').click();
    await page.locator('hearth-guest-basket button.place').click();
    await page.locator('hearth-guest-status [data-phase="not_sent"]').first().waitFor();
    // The top of the page: the banner says offline, the order below it waits.
    await page.evaluate('window.scrollTo(0, 0)');
    written.push(await shoot(page, out, 'offline'));
    await context.setOffline(false);

    const manager = await signIn(venue.cloud.url, 'manager', await cloudTablet(venue));
    await addDish(page, 'fries');
    await post(
      venue.cloud.url,
      manager,
      await opAs(manager, 'screenshots-manager', 'menu.item.setAvailability', {
        itemId: 'fries',
        available: false,
      }),
    );
    await page.locator('[data-action="view-basket"]').click();
    await page.locator('hearth-guest-basket [data-problem]').first().waitFor();
    written.push(await shoot(page, out, 'sold-out'));
    await post(
      venue.cloud.url,
      manager,
      await opAs(manager, 'screenshots-manager', 'menu.item.setAvailability', {
        itemId: 'fries',
        available: true,
      }),
    );

    // The bill: the pay sheet from the page (what is in the basket stays there), a tip chosen,
    // once the order made offline has reached the cloud.
    await page.reload();
    await page
      .locator('hearth-guest-status [data-phase="not_sent"]')
      .first()
      .waitFor({ state: 'detached' })
      .catch(() => console.error('guest: the order made offline was still not sent'));
    await page
      .getByText(/changes? waiting/)
      .first()
      .waitFor({ state: 'detached' })
      .catch(() => console.error('guest: a change was still waiting to be sent'));
    await page.locator('hearth-guest-pay button[data-pay-order]').first().click();
    await page.locator('hearth-guest-pay dialog input[name="tip"][value="10"]').check();
    await page.locator('hearth-guest-pay dialog [data-sum="tip"]').waitFor();
    written.push(await shoot(page, out, 'pay'));
    // The processor's page, then back with the payment made.
    await page.locator('hearth-guest-pay dialog button.pay').click();
    await page.locator('button#pay').waitFor();
    written.push(await shoot(page, out, 'checkout'));
    await page.locator('button#pay').click();
    await page.locator('hearth-guest-pay dialog [data-receipt="total"]').waitFor();
    written.push(await shoot(page, out, 'receipt'));
  } finally {
    await context.close().catch(() => undefined);
  }
  return written;
}
