import { Cursor, LiveFrame, liveSubprotocols } from '#protocol';
import { type CheckedEntry, entryProblem } from './feed-check.ts';

/**
 * A frame of `…/live` (protocol's `LiveFrame`) as the hydrator receives it, parsed here because
 * a socket is a boundary. An `entries` frame has only its envelopes checked (feed-check.ts, as
 * for a `/feed` page): the entities are parsed once coalesced, before they are written. The
 * other frames are small and parsed whole with the protocol's schema.
 */
export type ReceivedFrame =
  | { readonly type: 'entries'; readonly entries: readonly CheckedEntry[]; readonly cursor: string }
  | Exclude<LiveFrame, { type: 'entries' }>;

/** The parts of a WebSocket the hydrator uses: a real one, or a fake server's socket. */
export interface SocketLike {
  addEventListener(type: string, listener: (event: Event) => void): void;
  close(code?: number, reason?: string): void;
}

/** Builds a socket: `WebSocket` itself, or a fake's class. */
export type SocketConstructor = new (url: string, protocols?: string | string[]) => SocketLike;

export type LiveEvent =
  | { readonly type: 'open' }
  | { readonly type: 'frame'; readonly frame: ReceivedFrame }
  /** A frame that did not parse: the connection is closed (a gap would follow otherwise). */
  | { readonly type: 'garbled'; readonly detail: string }
  | { readonly type: 'closed'; readonly code: number; readonly reason: string };

/**
 * One live socket as a queue of events, so the hydrator can take everything that arrived while
 * it was writing the last batch and apply it as one transaction.
 */
export class LiveConnection {
  private readonly queue: LiveEvent[] = [];
  private wake: (() => void) | undefined;
  private readonly socket: SocketLike;
  private ended = false;

  constructor(Socket: SocketConstructor, url: string) {
    // The session cookie authenticates: no bearer is offered.
    this.socket = new Socket(url, liveSubprotocols());
    this.socket.addEventListener('open', () => this.push({ type: 'open' }));
    this.socket.addEventListener('message', (event) => this.received(event));
    this.socket.addEventListener('close', (event) => {
      const code = event instanceof CloseEvent ? event.code : 1006;
      const reason = event instanceof CloseEvent ? event.reason : '';
      this.push({ type: 'closed', code, reason });
    });
    // An `error` is always followed by `close`, which carries what there is to know.
  }

  /**
   * Waits for at least one event, then returns those queued, stopping after a frame that brings
   * the entry count to `maxEntries` (the rest wait for the next call) or after `closed`.
   */
  async take(maxEntries: number, signal: AbortSignal): Promise<LiveEvent[]> {
    while (this.queue.length === 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal.removeEventListener('abort', done);
          this.wake = undefined;
          resolve();
        };
        this.wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
    const taken: LiveEvent[] = [];
    let entries = 0;
    while (this.queue.length > 0 && entries < maxEntries) {
      const event = this.queue.shift() as LiveEvent;
      taken.push(event);
      if (event.type === 'frame' && event.frame.type === 'entries')
        entries += event.frame.entries.length;
      if (event.type === 'closed') break;
    }
    return taken;
  }

  /** Events already received and not yet taken (a backlog still arriving shows here). */
  get queued(): number {
    return this.queue.length;
  }

  /** Closes the socket (idempotent). The `closed` event still arrives. */
  close(code = 1000, reason = 'done'): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.socket.close(code, reason);
    } catch (error) {
      // InvalidAccessError/SyntaxError cannot happen with these arguments; anything else is a bug.
      if (!(error instanceof DOMException)) throw error;
    }
  }

  private received(event: Event): void {
    const frame = parseFrame(event);
    if (typeof frame === 'string') this.garbled(frame);
    else this.push({ type: 'frame', frame });
  }

  private garbled(detail: string): void {
    this.push({ type: 'garbled', detail });
    this.close(1003, 'unparseable frame');
  }

  private push(event: LiveEvent): void {
    if (event.type === 'closed') this.ended = true;
    this.queue.push(event);
    this.wake?.();
  }
}

/** The frame a message event carries, or why it carries none. */
function parseFrame(event: Event): ReceivedFrame | string {
  if (!(event instanceof MessageEvent) || typeof event.data !== 'string') {
    return 'a frame that is not text';
  }
  let json: unknown;
  try {
    json = JSON.parse(event.data);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return 'a frame that is not JSON';
  }
  if (
    typeof json === 'object' &&
    json !== null &&
    (json as { type?: unknown }).type === 'entries'
  ) {
    return entriesFrame(json as Record<string, unknown>);
  }
  const frame = LiveFrame.safeParse(json);
  return frame.success ? frame.data : frame.error.message;
}

/** An `entries` frame, envelopes checked and its cursor parsed. */
function entriesFrame(json: Record<string, unknown>): ReceivedFrame | string {
  const { entries } = json;
  if (!Array.isArray(entries)) return 'entries: not an array';
  const cursor = Cursor.safeParse(json.cursor);
  if (!cursor.success) return 'cursor: not a cursor';
  for (let i = 0; i < entries.length; i++) {
    const problem = entryProblem(entries[i]);
    if (problem !== undefined) return `entries[${i}].${problem}`;
  }
  return { type: 'entries', entries: entries as CheckedEntry[], cursor: cursor.data };
}
