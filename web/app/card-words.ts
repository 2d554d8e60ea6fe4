// A card payment in words, the same on the floor and the guest page: the brand and last four
// the processor reported ("Visa ·· 4242") and its decline codes. Hearth never has more of a card.

const BRANDS: Readonly<Record<string, string>> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
  maestro: 'Maestro',
  jcb: 'JCB',
  unionpay: 'UnionPay',
  diners: 'Diners Club',
};

/** "Visa" for `visa`; an unknown brand capitalised, its underscores as spaces; "Card" for none. */
export function brandName(brand: string | null | undefined): string {
  if (!brand) return 'Card';
  return (
    BRANDS[brand.toLowerCase()] ?? brand.charAt(0).toUpperCase() + brand.slice(1).replace(/_/g, ' ')
  );
}

/** "Visa ·· 4242", or the brand alone ("Card") when the processor did not say more. */
export function cardWords(
  brand: string | null | undefined,
  last4: string | null | undefined,
): string {
  const name = brandName(brand);
  return last4 ? `${name} ·· ${last4}` : name;
}

/** Decline codes in words (the processor's codes; an unknown one is shown as it came). */
const DECLINES: Readonly<Record<string, string>> = {
  insufficient_funds: 'the card has insufficient funds',
  do_not_honor: 'the card’s bank declined it',
  expired_card: 'the card has expired',
  card_not_supported: 'this card is not accepted here',
  offline_not_allowed: 'the processor is offline and may not store this payment',
  incorrect_pin: 'the PIN was wrong',
  lost_card: 'the card is reported lost',
  stolen_card: 'the card is reported stolen',
  declined: 'the card was declined',
};

/** "the card has insufficient funds"; an unknown code as it came, in words. */
export function declineWords(code: string | null | undefined): string {
  if (!code) return DECLINES.declined as string;
  return DECLINES[code] ?? `the card was declined (${code.replace(/_/g, ' ')})`;
}
