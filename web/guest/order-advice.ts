import type { BasketLine } from './basket.ts';
import type { GuestData } from './guest-data.ts';

/*
 * What a guest is told when their order comes back refused, pure: what happened, in the menu's
 * words, and what to do. The lines themselves go back in the basket (basket.ts returnPlaced),
 * where a sold-out one is flagged.
 */

/** The refusal as the outbox or the answer gave it (protocol/errors/rejection.ts codes). */
export interface Refusal {
  readonly code?: string;
  readonly detail?: string;
}

type Menu = Pick<GuestData, 'itemById' | 'modifierById'>;

/** The first returned dish (or choice) the menu now shows as sold out, in words. */
function soldOutName(lines: readonly BasketLine[], menu: Menu): string | undefined {
  for (const line of lines) {
    const item = menu.itemById.get(line.itemId);
    if (item && !item.available) return item.name;
    const gone = line.modifierIds
      .map((id) => menu.modifierById.get(id))
      .find((m) => m !== undefined && !m.available);
    if (gone) return item ? `${gone.name} (${item.name})` : gone.name;
  }
  return undefined;
}

/** The dish a refusal's message starts with ("Chips is sold out"), when it is one of these. */
function namedIn(detail: string | undefined, lines: readonly BasketLine[], menu: Menu) {
  if (!detail) return undefined;
  return lines
    .map((l) => menu.itemById.get(l.itemId)?.name ?? l.name)
    .find((name) => name !== '' && detail.startsWith(name));
}

export function refusalNotice(refusal: Refusal, lines: readonly BasketLine[], menu: Menu): string {
  const { code, detail } = refusal;
  switch (code) {
    case 'ITEM_UNAVAILABLE':
    case 'MODIFIER_NOT_ALLOWED':
    case 'UNKNOWN_ITEM': {
      const name = soldOutName(lines, menu) ?? namedIn(detail, lines, menu);
      return name
        ? `${name} sold out while you were ordering — remove it and send again`
        : 'Something in your order sold out while you were ordering — remove it and send again';
    }
    case 'MODIFIER_GROUP_RULE':
      return `The choices for a dish changed (${detail ?? 'the menu was updated'}) — remove it, add it again and send`;
    case 'ALREADY_EXISTS':
      return 'Part of this order was already on your table’s order — check it below before sending again';
    case 'FORBIDDEN':
    case 'NOT_FOUND':
      return 'This table can’t take orders from this phone right now — please ask a member of staff';
    case 'VALIDATION':
      return `Your order wasn’t accepted: ${detail ?? 'something in it was not valid'}. Change it and send again, or ask a member of staff`;
    default: {
      // No code (an old outbox entry): the sold-out check still knows the usual reason.
      const name = soldOutName(lines, menu);
      if (name) return `${name} sold out while you were ordering — remove it and send again`;
      return `Your order wasn’t accepted${detail ? ` (${detail})` : ''}. Check your basket and send it again, or ask a member of staff`;
    }
  }
}
