import { expect } from '@esm-bundle/chai';
import type { Operation } from '#protocol';
import type { TrackedOp } from '../../web/app/op-controller.ts';
import '../../web/app/op-list.ts';
import type { OpList } from '../../web/app/op-list.ts';
import { opStateOf } from '../../web/app/outbox-store-reader.ts';
import { ITEM_BADGE_LABEL, OP_STATUS_LABEL, WAITING_LABEL } from '../../web/app/sync-labels.ts';
import { createOrder, entryFor } from './outbox-fixtures.ts';

// What the op list says about each op's sync state, rendered by the real element in Chromium:
// the words a person reads, and which buttons they get.

const OP = { opId: '01JD0000000000000000000000' } as unknown as Operation;

function tracked(status: TrackedOp['status'], extra: Partial<TrackedOp> = {}): TrackedOp {
  return { opId: `op-${status}`, label: 'Table 4: Burger', status, op: OP, ...extra };
}

async function render(ops: readonly TrackedOp[]): Promise<OpList> {
  const list = document.createElement('hearth-op-list');
  list.ops = ops;
  document.body.append(list);
  await list.updateComplete;
  return list;
}

const textOf = (element: Element | null | undefined): string =>
  (element?.textContent ?? '').replace(/\s+/g, ' ').trim();

function row(list: OpList, opId: string) {
  const li = list.shadowRoot?.querySelector(`li[data-op="${opId}"]`);
  return {
    text: textOf(li),
    badge: textOf(li?.querySelector('.badge')),
    buttons: [...(li?.querySelectorAll('button') ?? [])].map((b) => textOf(b)),
  };
}

describe('<hearth-op-list> sync labels', () => {
  afterEach(() => {
    for (const list of document.querySelectorAll('hearth-op-list')) list.remove();
  });

  const cases: [TrackedOp, string, string[]][] = [
    [tracked('sending'), 'Table 4: Burger sending…', []],
    [tracked('pending'), 'Table 4: Burger not sent yet', []],
    [tracked('pending', { waiting: true }), 'Table 4: Burger waiting for the cloud to decide', []],
    [tracked('delivered_local'), 'Table 4: Burger saved in the venue — not in the cloud yet', []],
    [tracked('synced'), 'Table 4: Burger synced', []],
    [
      tracked('failed', { detail: 'gave up after 10 tries' }),
      'Table 4: Burger failed gave up after 10 tries Retry Discard',
      ['Retry', 'Discard'],
    ],
    [
      tracked('failed', { detail: 'the order is closed', final: true }),
      'Table 4: Burger failed the order is closed Discard',
      ['Discard'],
    ],
  ];

  for (const [op, text, buttons] of cases) {
    it(`says “${text}” for ${op.status}${op.final ? ' (final)' : ''}`, async () => {
      const list = await render([op]);
      const shown = row(list, op.opId);
      expect(shown.text).to.equal(text);
      expect(shown.badge).to.equal(op.waiting ? WAITING_LABEL : OP_STATUS_LABEL[op.status]);
      expect(shown.buttons).to.deep.equal(buttons);
    });
  }

  it('never shows a stale detail beside a state that is not failed', async () => {
    const list = await render([tracked('pending', { detail: 'gave up after 10 tries' })]);
    expect(row(list, 'op-pending').text).to.equal('Table 4: Burger not sent yet');
  });

  it('asks for retry and discard with the opId', async () => {
    const list = await render([tracked('failed', { detail: 'x' })]);
    const asked: string[] = [];
    list.addEventListener('hearth-retry', (e) => asked.push(`retry ${(e as CustomEvent).detail}`));
    list.addEventListener('hearth-discard', (e) =>
      asked.push(`discard ${(e as CustomEvent).detail}`),
    );
    for (const button of list.shadowRoot?.querySelectorAll('button') ?? []) button.click();
    expect(asked).to.deep.equal(['retry op-failed', 'discard op-failed']);
  });

  it('marks items with the same words as the op list', () => {
    expect(ITEM_BADGE_LABEL).to.deep.equal({
      pending: 'not sent yet',
      delivered_local: 'saved in the venue — not in the cloud yet',
      synced: 'synced',
      failed: 'failed',
    });
  });
});

describe('opStateOf: what the outbox entry says to the screen', () => {
  it('a pending op the target holds for the cloud is waiting; other pending ops are not', async () => {
    const op = await createOrder('01JD0000000000000000000777');
    const held = entryFor(op, {
      tries: 0,
      lastError: { code: 'DEPENDENCY_PENDING', message: 'held for the cloud: NOT_FOUND here' },
    });
    expect(opStateOf(held)).to.deep.equal({ status: 'pending', waiting: true });
    const offline = entryFor(op, { lastError: { code: 'NETWORK', message: 'fetch failed' } });
    expect(opStateOf(offline)).to.deep.equal({ status: 'pending' });
    expect(opStateOf(entryFor(op, { status: 'delivered_local' }))).to.deep.equal({
      status: 'delivered_local',
    });
  });
});
