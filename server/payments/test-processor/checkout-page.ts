import type { CheckoutRecord } from '../processor-core.ts';

// The hosted payment page a guest opens from a checkout's URL: what is paid, to whom, a "Pay"
// button (a plain form POST: no script) and a way back without paying. Plain, accessible HTML.

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );

/** Minor units as the currency writes them (`€27.50`), with the currency's own decimals. */
export function formatMoney(minor: number, currency: string): string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** The page's one style sheet; the page's CSP allows inline style, never script. */
const STYLE = `body{font:1.1rem/1.5 system-ui,sans-serif;margin:0;background:#f5f3ef;color:#1f1b16}
main{max-width:26rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:.75rem}
dl{display:grid;grid-template-columns:auto auto;gap:.25rem 1rem}dd{margin:0;text-align:right}
.total{font-weight:700}.note{font-size:.9rem;color:#5b5248}
button{font:inherit;width:100%;padding:.8rem;border:0;border-radius:.5rem;background:#1d4ed8;color:#fff}
button:focus-visible,a:focus-visible{outline:3px solid #1f1b16;outline-offset:2px}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The open checkout: amount, tip, total, merchant, Pay and Cancel. */
export function checkoutPage(checkout: CheckoutRecord, notice?: string): string {
  const id = encodeURIComponent(checkout.checkoutId);
  const money = (minor: number) => escapeHtml(formatMoney(minor, checkout.currency));
  const total = money(checkout.amount + checkout.tip);
  const merchant = escapeHtml(checkout.venueId);
  return page(
    `Pay ${formatMoney(checkout.amount + checkout.tip, checkout.currency)} to ${checkout.venueId}`,
    `<h1>Pay ${merchant}</h1>
<p class="note">Test payment page: a test card is used and no money moves.</p>
${notice ? `<p role="alert">${escapeHtml(notice)}</p>\n` : ''}<dl aria-label="Payment details">
<dt>Merchant</dt><dd>${merchant}</dd>
<dt>Amount</dt><dd>${money(checkout.amount)}</dd>
<dt>Tip</dt><dd>${money(checkout.tip)}</dd>
<dt class="total">Total</dt><dd class="total">${total}</dd>
</dl>
<form method="post" action="/checkout/${id}/pay">
<button type="submit" id="pay">Pay ${total}</button>
</form>
<p><a href="/checkout/${id}/cancel">Cancel and go back</a></p>`,
  );
}

/** A checkout that can no longer be paid (cancelled) or does not exist. */
export function closedPage(title: string, message: string, returnTo?: string): string {
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
${returnTo ? `<p><a href="${escapeHtml(returnTo)}">Go back</a></p>` : ''}`,
  );
}
