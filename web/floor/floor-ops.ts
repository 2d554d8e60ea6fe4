import type { OperationType } from '#protocol';
import type { OpStatus } from '../app/outbox-reader.ts';
import { OP_STATUS_LABEL, WAITING_LABEL } from '../app/sync-labels.ts';

// What the floor panels share about their ops, pure: the submit callback the page wires to its
// OpController, and each op's sync state in sync-labels' words beside the control that made it.

/** An op as the page follows it (`OpController`'s `TrackedOp` fits). */
export interface FloorOpState {
  readonly opId: string;
  readonly status: 'sending' | OpStatus;
  readonly detail?: string;
  readonly waiting?: boolean;
}

/** `OpController.submit`: makes the op, sends it through the outbox, answers its first state. */
export type FloorSubmit = (
  label: string,
  type: OperationType,
  payload: (newId: () => string) => unknown,
) => Promise<FloorOpState | undefined>;

/** Where an op stands in words; null once the cloud has it (nothing left to say). */
export function syncWordsOf(state: Omit<FloorOpState, 'opId'> | undefined): string | null {
  if (!state) return null;
  if (state.waiting) return WAITING_LABEL;
  if (state.status === 'synced') return null;
  if (state.status === 'failed')
    return state.detail ? `${OP_STATUS_LABEL.failed}: ${state.detail}` : OP_STATUS_LABEL.failed;
  return OP_STATUS_LABEL[state.status];
}

/**
 * The last op made for each control (a request's "On the way", a dish's toggle), keyed by the
 * caller: its first answer, then whatever the page's `ops` say about the same opId.
 */
export class OpMarks {
  readonly #marks = new Map<string, FloorOpState>();

  /** Submits and remembers the op under `key`; answers the op's first state. */
  async track(
    key: string,
    submit: FloorSubmit,
    label: string,
    type: OperationType,
    payload: (newId: () => string) => unknown,
  ): Promise<FloorOpState | undefined> {
    const state = await submit(label, type, payload);
    if (state) this.#marks.set(key, state);
    return state;
  }

  /** Moves the mark under `from` to `to` (an op keyed before the id it made was known). */
  rename(from: string, to: string): void {
    const mark = this.#marks.get(from);
    if (!mark) return;
    this.#marks.delete(from);
    this.#marks.set(to, mark);
  }

  /** The op's latest state: the page's list wins over the first answer. */
  stateOf(key: string, ops: readonly FloorOpState[]): FloorOpState | undefined {
    const mark = this.#marks.get(key);
    if (!mark) return undefined;
    return ops.find((op) => op.opId === mark.opId) ?? mark;
  }

  /** Sync words for the control under `key`, or null. */
  wordsOf(key: string, ops: readonly FloorOpState[]): string | null {
    return syncWordsOf(this.stateOf(key, ops));
  }
}
