import { describe, expect, it } from 'vitest';
import { type FloorOpState, OpMarks, syncWordsOf } from '../../web/floor/floor-ops.ts';

// The floor panels' op marks: the words beside a control, from the first answer and then from
// the page's ops.

describe('syncWordsOf', () => {
  it('says where an op stands, nothing once synced', () => {
    expect(syncWordsOf(undefined)).toBeNull();
    expect(syncWordsOf({ status: 'synced' })).toBeNull();
    expect(syncWordsOf({ status: 'sending' })).toBe('sending…');
    expect(syncWordsOf({ status: 'pending' })).toBe('not sent yet');
    expect(syncWordsOf({ status: 'delivered_local' })).toBe(
      'saved in the venue — not in the cloud yet',
    );
    expect(syncWordsOf({ status: 'pending', waiting: true })).toBe(
      'waiting for the cloud to decide',
    );
    expect(syncWordsOf({ status: 'failed' })).toBe('failed');
    expect(syncWordsOf({ status: 'failed', detail: 'no such request' })).toBe(
      'failed: no such request',
    );
  });
});

describe('OpMarks', () => {
  it('keeps the last op per key and follows it in the page’s ops', async () => {
    const marks = new OpMarks();
    const sent: string[] = [];
    let n = 0;
    const submit = async (label: string): Promise<FloorOpState> => {
      sent.push(label);
      return { opId: `op-${++n}`, status: 'pending' };
    };
    expect(marks.wordsOf('a', [])).toBeNull();
    await marks.track('a', submit, 'first', 'menu.item.setAvailability', () => ({}));
    expect(marks.wordsOf('a', [])).toBe('not sent yet');
    expect(marks.wordsOf('a', [{ opId: 'op-1', status: 'synced' }])).toBeNull();
    await marks.track('a', submit, 'second', 'menu.item.setAvailability', () => ({}));
    // The newer op is the one shown: the old one's state no longer counts.
    expect(marks.stateOf('a', [{ opId: 'op-1', status: 'synced' }])).toEqual({
      opId: 'op-2',
      status: 'pending',
    });
    expect(sent).toEqual(['first', 'second']);
  });

  it('remembers nothing when the op could not be made', async () => {
    const marks = new OpMarks();
    await marks.track(
      'a',
      async () => undefined,
      'x',
      'ticket.assign',
      () => ({}),
    );
    expect(marks.stateOf('a', [])).toBeUndefined();
  });
});
