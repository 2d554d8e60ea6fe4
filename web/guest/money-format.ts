/*
 * Prices as a guest reads them: integer minor units shown in the venue's locale and currency
 * (`Intl.NumberFormat`), scaled by the currency's own number of digits (2 for EUR, 0 for JPY,
 * 3 for KWD) as Intl knows it. Display only: amounts are computed by the protocol, in integers.
 */

/** The venue's locale when its record names none (protocol/entities/venue.ts). */
export const DEFAULT_LOCALE = 'en-GB';

export interface MoneyFormat {
  /** "€16.50" */
  price(minor: number): string;
  /** A modifier's price change: "+€1.50", "−€2.00", or '' when it costs nothing. */
  delta(minor: number): string;
}

function formatterFor(
  locale: string,
  currency: string,
  signDisplay: 'auto' | 'exceptZero',
): Intl.NumberFormat {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency, signDisplay });
  } catch (error) {
    // A locale the browser cannot read: the default's words rather than no prices at all.
    if (!(error instanceof RangeError)) throw error;
    return new Intl.NumberFormat(DEFAULT_LOCALE, { style: 'currency', currency, signDisplay });
  }
}

/** Minor units per major unit of `currency` (100 for EUR, 1 for JPY). */
export function minorPerMajor(currency: string): number {
  let scale = scales.get(currency);
  if (scale === undefined) {
    const digits = formatterFor(DEFAULT_LOCALE, currency, 'auto').resolvedOptions()
      .maximumFractionDigits;
    scale = 10 ** (digits ?? 2);
    scales.set(currency, scale);
  }
  return scale;
}

const scales = new Map<string, number>();

/**
 * @example
 * moneyFormat('en-GB', 'EUR').price(1650) // "€16.50"
 * moneyFormat('de-DE', 'EUR').price(1650) // "16,50 €"
 */
export function moneyFormat(locale: string | undefined, currency: string): MoneyFormat {
  const key = `${locale ?? DEFAULT_LOCALE} ${currency}`;
  let format = made.get(key);
  if (!format) {
    const plain = formatterFor(locale ?? DEFAULT_LOCALE, currency, 'auto');
    const signed = formatterFor(locale ?? DEFAULT_LOCALE, currency, 'exceptZero');
    const scale = minorPerMajor(currency);
    format = {
      price: (minor) => plain.format(minor / scale),
      delta: (minor) => (minor === 0 ? '' : signed.format(minor / scale)),
    };
    made.set(key, format);
  }
  return format;
}

/**
 * One format per locale and currency, made once: building an `Intl.NumberFormat` costs far more
 * than using one (decision 022).
 */
const made = new Map<string, MoneyFormat>();
