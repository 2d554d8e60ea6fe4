import WebSocket from 'ws';
import {
  type BatchResponse,
  type EntitySet,
  emptyEntitySet,
  type FeedEntry,
  LIVE_CLOSE,
  type LiveFrame,
  liveSubprotocols,
  type Operation,
  type OpResult,
  project,
  projectRecords,
  type Snapshot,
} from '#protocol';

// The scripted devices of a venue day: each keeps a real outbox policy (FIFO, the same opId
// until a final answer, retryable answers and network failures retried with backoff, nothing
// dropped) and a cache fed by the live feed it follows, as the PWA does, over plain HTTP and
// websockets to the real processes.

const VENUE = 'demo-bistro';
const REQUEST_TIMEOUT_MS = 8_000;
const BATCH = 25;

export type Clock = () => number;
export const realNow: Clock = () => performance.now();

/** Where a device sends (the relay through the Wi-Fi, or the cloud on mobile data). */
export interface Endpoint {
  readonly base: () => string;
  readonly headers: () => Readonly<Record<string, string>>;
}

/** A device's connectivity, as a person looking at it would name it. */
export type DeviceState = 'online' | 'offline' | 'replaying';

/** One op a device made, and what became of it. */
export interface OpRecord {
  readonly op: Operation;
  readonly device: string;
  /** Simulated minute it was made. */
  readonly minute: number;
  /** performance.now() when it entered the outbox. */
  readonly madeAt: number;
  /** Headers of this op alone (a phone's guest token for the table it is at). */
  readonly headers?: Readonly<Record<string, string>>;
  sends: number;
  /** Every answer it got, in order (`retryable IN_FLIGHT`, `network`, `applied`…), for a reader. */
  readonly answers: string[];
  /** performance.now() of the final answer. */
  answeredAt?: number;
  /** applied / accepted_local (acknowledged: the person was told it is saved) or rejected. */
  outcome?: 'applied' | 'accepted_local' | 'rejected';
  code?: string;
  /** The first answer's stream seq (0: changed nothing). */
  seq?: number;
}

export interface Transition {
  readonly at: number;
  readonly state: DeviceState;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function fetchBounded(url: string, init: RequestInit): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

/** The final form of an answer: a duplicate's first answer, else the answer itself. */
function finalOf(result: OpResult): OpResult {
  return result.status === 'duplicate' ? result.first : result;
}

/**
 * A device's durable-outbox policy: ops leave in the order they were made, a batch at a time;
 * an op stays until its answer is final (applied, accepted locally, or rejected) and is sent
 * again with the same opId after a retryable answer or a lost one.
 */
export class Outbox {
  readonly records: OpRecord[] = [];
  readonly transitions: Transition[] = [];
  private readonly queue: OpRecord[] = [];
  private running = false;
  private wake: (() => void) | undefined;
  private state: DeviceState = 'online';
  /** Network failures and 5xx answers seen (each retried). */
  failures = 0;

  readonly name: string;
  private readonly endpoint: Endpoint;
  private readonly mode: 'batch' | 'single';

  constructor(name: string, endpoint: Endpoint, mode: 'batch' | 'single' = 'batch') {
    this.name = name;
    this.endpoint = endpoint;
    this.mode = mode;
    this.transitions.push({ at: realNow(), state: 'online' });
  }

  get depth(): number {
    return this.queue.length;
  }

  get connectivity(): DeviceState {
    return this.state;
  }

  /** True while an op of `orderId` waits for its answer. */
  pendingFor(test: (op: Operation) => boolean): boolean {
    return this.queue.some((record) => test(record.op));
  }

  add(op: Operation, minute: number, headers?: Readonly<Record<string, string>>): OpRecord {
    const record: OpRecord = {
      op,
      device: this.name,
      minute,
      madeAt: realNow(),
      sends: 0,
      answers: [],
      ...(headers ? { headers } : {}),
    };
    this.records.push(record);
    this.queue.push(record);
    this.wake?.();
    return record;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.pump();
  }

  stop(): void {
    this.running = false;
    this.wake?.();
  }

  private setState(state: DeviceState): void {
    if (state === this.state) return;
    this.state = state;
    this.transitions.push({ at: realNow(), state });
  }

  private async pump(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      if (this.queue.length === 0) {
        if (this.state === 'replaying') this.setState('online');
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, 500);
        });
        this.wake = undefined;
        continue;
      }
      const batch = this.queue.slice(0, this.mode === 'batch' ? BATCH : 1);
      for (const record of batch) record.sends++;
      const outcome = await this.send(batch).catch(() => undefined);
      if (outcome === undefined) {
        for (const record of batch) record.answers.push('no answer');
        this.failures++;
        this.setState('offline');
        await sleep(backoff);
        backoff = Math.min(2_000, backoff * 2);
        continue;
      }
      backoff = 100;
      if (this.state === 'offline')
        this.setState(this.queue.length > batch.length ? 'replaying' : 'online');
      let wait = 0;
      for (const [i, record] of batch.entries()) {
        const result = outcome[i];
        if (!result) continue;
        const final = finalOf(result);
        record.answers.push(
          `${result.status === 'duplicate' ? 'duplicate of ' : ''}${final.status}${'code' in final ? ` ${final.code}` : ''}`,
        );
        if (final.status === 'retryable') {
          wait = Math.max(wait, final.retryAfterMs ?? 200);
          continue;
        }
        if (final.status === 'duplicate') continue;
        record.answeredAt = realNow();
        record.outcome = final.status;
        if (final.status === 'rejected') record.code = final.code;
        else record.seq = final.seq;
        this.queue.splice(this.queue.indexOf(record), 1);
      }
      if (wait > 0) await sleep(Math.min(wait, 2_000));
    }
  }

  /** The answers in the batch's order; undefined when there was none to read (retry all). */
  private async send(batch: readonly OpRecord[]): Promise<(OpResult | undefined)[] | undefined> {
    const base = this.endpoint.base();
    const headers = { 'Content-Type': 'application/json', ...this.endpoint.headers() };
    const path = `/v1/venues/${VENUE}/ops`;
    if (this.mode === 'single') {
      const [record] = batch;
      if (!record) return [];
      const res = await fetchBounded(`${base}${path}`, {
        method: 'POST',
        headers: { ...headers, ...record.headers, 'Idempotency-Key': record.op.opId },
        body: JSON.stringify(record.op),
      });
      return answerOf(res, async () => [(await res.json()) as OpResult]);
    }
    const res = await fetchBounded(`${base}${path}/batch`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ deviceId: batch[0]?.op.deviceId, ops: batch.map((r) => r.op) }),
    });
    return answerOf(res, async () => ((await res.json()) as BatchResponse).results);
  }
}

async function answerOf(
  res: Response,
  read: () => Promise<OpResult[]>,
): Promise<OpResult[] | undefined> {
  // 429 and 5xx say nothing about the ops: send them again later.
  if (res.status === 429 || res.status >= 500) {
    await res.body?.cancel();
    return undefined;
  }
  if (res.status >= 400) {
    const text = await res.text();
    throw new Error(`outbox: ${res.status} ${text.slice(0, 300)}`);
  }
  return read();
}

/**
 * A device's cache kept by the live feed: a snapshot, then the socket's entries; after a lost
 * socket it resumes from the last cursor it got, or loads a new snapshot when told to.
 */
export class Follower {
  set: EntitySet = emptyEntitySet();
  /** performance.now() when each opId's first entry arrived. */
  readonly firstSeen = new Map<string, number>();
  /** performance.now() when each entity (`kind/id`) was first held. */
  readonly firstHeld = new Map<string, number>();
  readonly transitions: Transition[] = [];
  private cursor: string | undefined;
  private ws: WebSocket | undefined;
  private running = false;
  private connected = false;
  reconnects = 0;
  errors: string[] = [];

  readonly name: string;
  private readonly endpoint: Endpoint;
  private readonly token: () => string;
  private readonly options: { scopes?: string; deviceId?: string };

  constructor(
    name: string,
    endpoint: Endpoint,
    token: () => string,
    options: { scopes?: string; deviceId?: string } = {},
  ) {
    this.name = name;
    this.endpoint = endpoint;
    this.token = token;
    this.options = options;
  }

  get live(): boolean {
    return this.connected;
  }

  async start(): Promise<void> {
    this.running = true;
    await this.connect();
    void this.keepAlive();
  }

  stop(): void {
    this.running = false;
    this.ws?.terminate();
  }

  private mark(state: DeviceState): void {
    const last = this.transitions[this.transitions.length - 1];
    if (last?.state !== state) this.transitions.push({ at: realNow(), state });
  }

  private async keepAlive(): Promise<void> {
    let backoff = 200;
    while (this.running) {
      await sleep(this.connected ? 250 : backoff);
      if (!this.running || this.connected) continue;
      try {
        await this.connect();
        backoff = 200;
      } catch {
        backoff = Math.min(2_000, backoff * 2);
      }
    }
  }

  private async snapshot(): Promise<void> {
    const q = this.options.scopes ? `?scopes=${this.options.scopes}` : '';
    const res = await fetchBounded(`${this.endpoint.base()}/v1/venues/${VENUE}/snapshot${q}`, {
      headers: { Authorization: `Bearer ${this.token()}`, ...this.endpoint.headers() },
    });
    if (res.status !== 200) throw new Error(`snapshot ${res.status}: ${await res.text()}`);
    const snap = (await res.json()) as Snapshot;
    this.set = projectRecords(emptyEntitySet(), snap.records);
    const at = realNow();
    for (const record of snap.records) {
      const key = `${record.entity}/${record.data.id}`;
      if (!this.firstHeld.has(key)) this.firstHeld.set(key, at);
    }
    this.cursor = snap.cursor;
  }

  private async connect(): Promise<void> {
    if (this.cursor === undefined) await this.snapshot();
    const q = new URLSearchParams({ cursor: this.cursor ?? '' });
    if (this.options.scopes) q.set('scopes', this.options.scopes);
    if (this.options.deviceId) q.set('deviceId', this.options.deviceId);
    const url = `${this.endpoint.base().replace(/^http/, 'ws')}/v1/venues/${VENUE}/live?${q}`;
    const ws = new WebSocket(url, liveSubprotocols(this.token()), {
      headers: { ...this.endpoint.headers() },
    });
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('live socket: no first frame')), 8_000);
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as LiveFrame;
        if (!this.connected) {
          this.connected = true;
          this.mark('online');
          clearTimeout(timer);
          resolve();
        }
        this.onFrame(frame);
      });
      ws.on('error', (error) => {
        clearTimeout(timer);
        this.errors.push(error.message);
        reject(error);
      });
      ws.on('close', (code) => {
        clearTimeout(timer);
        // The stream was reset or compacted: start again from a snapshot.
        if (code === LIVE_CLOSE.reBootstrap) this.cursor = undefined;
        if (this.connected) this.reconnects++;
        this.connected = false;
        if (this.running) this.mark('offline');
        reject(new Error('live socket closed'));
      });
    });
  }

  private onFrame(frame: LiveFrame): void {
    if (frame.type === 'entries') {
      const at = realNow();
      this.set = project(this.set, frame.entries as FeedEntry[]);
      for (const entry of frame.entries) {
        if (entry.opId && !this.firstSeen.has(entry.opId)) this.firstSeen.set(entry.opId, at);
        const key = `${entry.entity}/${entry.id}`;
        if (!this.firstHeld.has(key)) this.firstHeld.set(key, at);
      }
      this.cursor = frame.cursor;
    } else if (frame.type === 'heartbeat') {
      this.cursor = frame.cursor;
    } else if (frame.type === 'error') {
      this.errors.push(`${frame.problem.title}`);
    }
  }
}
