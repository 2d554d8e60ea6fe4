import { describe, expect, it } from 'vitest';
import { laneOf } from '../../web/device/outbox-types.ts';

describe('the outbox lane of an op', () => {
  it('puts payments and kitchen fires first, lines sent in the same op among them', () => {
    expect(laneOf('order.close')).toBe('priority');
    expect(laneOf('order.sendToKitchen', { orderId: 'o' })).toBe('priority');
    expect(laneOf('ticket.transition')).toBe('priority');
    expect(laneOf('order.create', { orderId: 'o', lines: [], send: {} })).toBe('priority');
    expect(laneOf('order.addLines', { orderId: 'o', lines: [], send: { hold: true } })).toBe(
      'priority',
    );
    // Lines without a send wait their turn, as before.
    expect(laneOf('order.create', { orderId: 'o', lines: [] })).toBe('default');
    expect(laneOf('order.addLines', { orderId: 'o', lines: [] })).toBe('default');
    expect(laneOf('order.create')).toBe('default');
  });
});
