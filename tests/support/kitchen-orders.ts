import { makeOperation, newUlid, type Operation, type OperationType } from '#protocol';

// Orders a server places for the kitchen, through the real API of a cloud or a relay: used by
// the kitchen display's end-to-end drill, its screenshots and its benchmark. Runs under Node
// (vitest) and Bun alike.

export const VENUE = 'demo-bistro';
export const TENANT = 'demo';
export const PINS = { server: '1111', kitchen: '2222', manager: '3333', owner: '4444' } as const;

export interface Staff {
  readonly token: string;
  readonly actorId: string;
}

/** Signs a staff member in by PIN at `base` (cloud or relay). */
export async function signIn(
  base: string,
  role: keyof typeof PINS,
  /** The paired device's credential header (`X-Hearth-Device`), where sign-in needs one. */
  device: Readonly<Record<string, string>> = {},
): Promise<Staff> {
  const response = await fetch(`${base}/v1/auth/staff`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...device },
    body: JSON.stringify({ venueId: VENUE, pin: PINS[role] }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok)
    throw new Error(`sign-in as ${role}: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { token: string; principal: { actorId: string } };
  return { token: body.token, actorId: body.principal.actorId };
}

/** Makes an op as `staff` from `deviceId`. */
export function opAs<T extends OperationType>(
  staff: Staff,
  deviceId: string,
  type: T,
  payload: unknown,
  dependsOn: readonly string[] = [],
): Promise<Operation> {
  return makeOperation({
    type,
    payload: payload as never,
    deviceId,
    tenantId: TENANT,
    venueId: VENUE,
    actorId: staff.actorId,
    dependsOn: [...dependsOn],
  });
}

/** POSTs one op; the parsed answer and its status. Throws on a refusal. */
export async function post(
  base: string,
  staff: Staff,
  op: Operation,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}/v1/venues/${VENUE}/ops`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${staff.token}`,
      'Idempotency-Key': op.opId,
    },
    body: JSON.stringify(op),
    signal: AbortSignal.timeout(10_000),
  });
  const body: unknown = await response.json().catch(() => undefined);
  if (response.status >= 300) {
    throw new Error(
      `${op.type} ${op.opId}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`,
    );
  }
  return { status: response.status, body };
}

/** A kitchen order: item ids with quantity, modifiers and note, at one table. */
export interface OrderSpec {
  readonly table: number;
  readonly guests: number;
  readonly lines: readonly {
    readonly itemId: string;
    readonly quantity?: number;
    readonly modifierIds?: readonly string[];
    readonly note?: string;
    readonly course?: number;
  }[];
}

/** A lunch-rush mix over the demo menu's grill, fry, cold and bar stations. */
export const SAMPLE_ORDERS: readonly OrderSpec[] = [
  {
    table: 1,
    guests: 2,
    lines: [
      { itemId: 'burger', modifierIds: ['medium-rare', 'extra-cheese'] },
      { itemId: 'fries', quantity: 2 },
    ],
  },
  {
    table: 2,
    guests: 4,
    lines: [
      { itemId: 'steak-frites', quantity: 2, modifierIds: ['medium-rare'] },
      { itemId: 'caesar', note: 'nut allergy — no croutons' },
      { itemId: 'calamari' },
    ],
  },
  { table: 3, guests: 2, lines: [{ itemId: 'salmon' }, { itemId: 'burrata' }] },
  {
    table: 4,
    guests: 3,
    lines: [
      { itemId: 'fish-and-chips', quantity: 2 },
      { itemId: 'chicken', modifierIds: ['side-fries'], note: 'sauce on the side' },
    ],
  },
  {
    table: 5,
    guests: 1,
    lines: [{ itemId: 'veggie-burger', modifierIds: ['gluten-free-bun'], note: 'coeliac' }],
  },
  { table: 6, guests: 2, lines: [{ itemId: 'risotto' }, { itemId: 'oysters' }] },
  {
    table: 7,
    guests: 5,
    lines: [
      { itemId: 'burger', quantity: 3 },
      { itemId: 'fries', quantity: 3 },
      { itemId: 'soup-of-the-day', quantity: 2 },
    ],
  },
  {
    table: 8,
    guests: 2,
    lines: [{ itemId: 'croquettes' }, { itemId: 'steak-frites', modifierIds: ['well-done'] }],
  },
  {
    table: 9,
    guests: 2,
    lines: [{ itemId: 'beet-salad' }, { itemId: 'chicken', modifierIds: ['side-mash'] }],
  },
  {
    table: 10,
    guests: 6,
    lines: [
      { itemId: 'burger', quantity: 2 },
      { itemId: 'salmon', quantity: 2 },
      { itemId: 'calamari', quantity: 2 },
    ],
  },
  {
    table: 11,
    guests: 2,
    lines: [{ itemId: 'caesar', modifierIds: ['add-bacon'] }, { itemId: 'fries' }],
  },
  {
    table: 12,
    guests: 3,
    lines: [{ itemId: 'risotto', quantity: 2 }, { itemId: 'fish-and-chips' }],
  },
];

/**
 * One order as a server's device makes it: `order.create` with the spec's lines, then
 * `order.sendToKitchen` depending on it. The send's opId names the order's tickets.
 */
export async function orderOps(
  server: Staff,
  deviceId: string,
  spec: OrderSpec,
): Promise<{ readonly orderId: string; readonly create: Operation; readonly send: Operation }> {
  const orderId = newUlid();
  const create = await opAs(server, deviceId, 'order.create', {
    orderId,
    tableId: `table-${spec.table}`,
    guestCount: spec.guests,
    lines: spec.lines.map((line) => ({
      lineId: newUlid(),
      itemId: line.itemId,
      quantity: line.quantity ?? 1,
      modifierIds: [...(line.modifierIds ?? [])],
      ...(line.note ? { note: line.note } : {}),
      ...(line.course ? { course: line.course } : {}),
    })),
  });
  const send = await opAs(server, deviceId, 'order.sendToKitchen', { orderId }, [create.opId]);
  return { orderId, create, send };
}

/**
 * Creates and sends `count` orders (cycling through SAMPLE_ORDERS), one op at a time. Returns
 * the send ops (their ids name the tickets).
 */
export async function placeOrders(
  base: string,
  server: Staff,
  count: number,
  options: { readonly deviceId?: string; readonly specs?: readonly OrderSpec[] } = {},
): Promise<Operation[]> {
  const deviceId = options.deviceId ?? 'server-tablet';
  const specs = options.specs ?? SAMPLE_ORDERS;
  const sends: Operation[] = [];
  for (let i = 0; i < count; i++) {
    const { create, send } = await orderOps(server, deviceId, specs[i % specs.length] as OrderSpec);
    await post(base, server, create);
    await post(base, server, send);
    sends.push(send);
  }
  return sends;
}
