import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { OpStatus } from '../app/outbox-reader.ts';
import type { Timers } from '../app/timers.ts';
import {
  announcementOf,
  CALL_WORDS,
  type CallKind,
  type CallRequest,
  type CallSettings,
  type CallView,
  callPayload,
  callViewsOf,
  cooldownSecOf,
  type OwnCall,
} from './guest-calls-state.ts';

/** An op as the page follows it (`OpController`'s `TrackedOp` fits). */
export interface CallOpState {
  readonly opId: string;
  readonly status: 'sending' | OpStatus;
  readonly detail?: string;
  readonly waiting?: boolean;
}

/**
 * Makes a `serviceRequest.create` op and sends it through the outbox: the page passes its
 * `OpController.submit`, so a call made offline is queued and replayed. `payload` gets the id
 * maker for the new request.
 */
export type CallSubmit = (
  label: string,
  type: 'serviceRequest.create',
  payload: (newId: () => string) => ReturnType<typeof callPayload>,
) => Promise<CallOpState | undefined>;

/** What the component hands its controller, read afresh on every update. */
export interface CallsInputs {
  readonly tableId: string;
  readonly requests: readonly CallRequest[];
  readonly settings: CallSettings | undefined;
  readonly submit: CallSubmit | undefined;
  /** The page's ops, to follow each call's sync state after its first answer. */
  readonly ops: readonly CallOpState[];
  /** Device time, ms. */
  readonly clock: () => number;
  readonly timers: Timers;
  readonly formatTime: (ms: number) => string;
}

interface Call {
  kind: CallKind;
  requestId: string;
  at: number;
  opId?: string;
  state: Omit<CallOpState, 'opId'>;
}

/**
 * The two call buttons' state: the calls this device made, their views (guest-calls-state.ts)
 * recomputed before each render, what to announce, and a one-second tick while a cooldown runs.
 */
export class GuestCallsController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #inputs: () => CallsInputs;
  #calls: Call[] = [];
  #views: CallView[] | undefined;
  #announcement = '';
  #stopTick: (() => void) | undefined;
  #connected = false;

  constructor(host: ReactiveControllerHost, inputs: () => CallsInputs) {
    this.#host = host;
    this.#inputs = inputs;
    host.addController(this);
  }

  get views(): readonly CallView[] {
    return this.#views ?? this.#compute();
  }

  /** The latest news for the live region. */
  get announcement(): string {
    return this.#announcement;
  }

  hostConnected(): void {
    this.#connected = true;
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#stopTick?.();
    this.#stopTick = undefined;
  }

  hostUpdate(): void {
    const views = this.#compute();
    const news = announcementOf(this.#views, views);
    if (news) this.#announcement = news;
    this.#views = views;
    this.#tick(views.some((v) => v.secondsLeft > 0));
  }

  /** Makes the call, unless the button rests: then it says why. */
  async call(kind: CallKind): Promise<void> {
    const view = this.views.find((v) => v.kind === kind);
    const { submit, tableId, clock } = this.#inputs();
    if (!view?.available || !submit) {
      this.#say(view?.status ?? 'Not signed in yet');
      return;
    }
    const call: Call = {
      kind,
      requestId: `unsent-${this.#calls.length}`,
      at: clock(),
      state: { status: 'sending' },
    };
    this.#calls = [...this.#calls, call];
    this.#host.requestUpdate();
    const tracked = await submit(CALL_WORDS[kind].action, 'serviceRequest.create', (newId) => {
      call.requestId = newId();
      return callPayload(call.requestId, tableId, kind);
    }).catch(() => undefined);
    if (tracked) {
      call.opId = tracked.opId;
      call.state = tracked;
    } else {
      call.state = { status: 'failed', detail: 'could not be sent — please ask a member of staff' };
    }
    this.#host.requestUpdate();
  }

  #compute(): CallView[] {
    const input = this.#inputs();
    const own: OwnCall[] = this.#calls.map((call) => {
      const followed = call.opId ? input.ops.find((op) => op.opId === call.opId) : undefined;
      const { status, detail, waiting } = followed ?? call.state;
      return { kind: call.kind, requestId: call.requestId, at: call.at, status, detail, waiting };
    });
    return callViewsOf({
      tableId: input.tableId,
      requests: input.requests,
      own,
      now: input.clock(),
      cooldownSec: cooldownSecOf(input.settings),
      clock: input.formatTime,
    });
  }

  #say(text: string): void {
    // The same words again would not be read out: a trailing no-break space makes them new.
    this.#announcement = this.#announcement === text ? `${text}\u00a0` : text;
    this.#host.requestUpdate();
  }

  #tick(running: boolean): void {
    if (running && !this.#stopTick && this.#connected) {
      this.#stopTick = this.#inputs().timers.every(1000, () => this.#host.requestUpdate());
    } else if (!running && this.#stopTick) {
      this.#stopTick();
      this.#stopTick = undefined;
    }
  }
}
