import type { Rng } from './prng.ts';

/** The three links: tablets to the relay, the relay to the cloud, phones on mobile data to the cloud. */
export type LinkName = 'lan' | 'uplink' | 'mobile';
export const LINKS: readonly LinkName[] = ['lan', 'uplink', 'mobile'];

/** Where a request lands when it is delivered. */
export interface Server {
  /** Handles the request; undefined when nobody listens (the request is lost). */
  serve(): { response: Promise<Response>; alive: () => boolean } | undefined;
  /** The cloud never waits on the simulation: its answer is awaited within the delivery step. */
  readonly inline: boolean;
  /** Never lost, duplicated or partitioned (a model shortcut: the feed catching up in time). */
  readonly reliable?: boolean;
}

export interface Call {
  readonly id: number;
  readonly link: LinkName;
  readonly label: string;
  readonly reliable: boolean;
  state: 'pending' | 'answered' | 'failed';
  /** Messages of this call still in the network. */
  inNetwork: number;
  /** Handlers of this call still running (and whether their process still lives). */
  serving: { alive: () => boolean }[];
  resolve(response: Response): void;
  reject(error: Error): void;
}

export interface Message {
  readonly id: number;
  readonly call: Call;
  readonly kind: 'request' | 'response';
  readonly response?: Response;
  readonly server: Server;
}

/**
 * The simulated network: every request and answer is a message that stays in flight until the
 * scheduler delivers it (in any order: reorder and delay), drops it, or duplicates a request.
 * A partitioned link loses whatever crosses it. A caller whose answer never comes is failed by
 * a timeout step, as a fetch with a deadline would be.
 */
export class Network {
  readonly partitioned: Record<LinkName, boolean> = { lan: false, uplink: false, mobile: false };
  private messages: Message[] = [];
  private readonly calls = new Set<Call>();
  private nextId = 1;
  private readonly trace: (line: string) => void;

  constructor(trace: (line: string) => void) {
    this.trace = trace;
  }

  call(link: LinkName, label: string, server: Server): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      const call: Call = {
        id: this.nextId++,
        link,
        label,
        reliable: server.reliable === true,
        state: 'pending',
        inNetwork: 0,
        serving: [],
        resolve,
        reject,
      };
      this.calls.add(call);
      this.send({ id: this.nextId++, call, kind: 'request', server });
    });
  }

  get inFlight(): readonly Message[] {
    return this.messages;
  }

  pendingCalls(): Call[] {
    return [...this.calls].filter((c) => c.state === 'pending');
  }

  /** A pending call whose answer can no longer come: nothing in flight, nobody alive serving it. */
  orphaned(call: Call): boolean {
    return call.inNetwork === 0 && call.serving.every((s) => !s.alive());
  }

  async deliver(message: Message): Promise<void> {
    this.take(message);
    const { call } = message;
    if (this.partitioned[call.link] && !message.server.reliable) {
      this.trace(`lost ${call.link} ${message.kind} #${call.id} ${call.label} (partition)`);
      return;
    }
    if (message.kind === 'response') {
      if (call.state !== 'pending' || !message.response) return;
      call.state = 'answered';
      this.calls.delete(call);
      this.trace(`answer #${call.id} ${call.label} ${message.response.status}`);
      call.resolve(message.response);
      return;
    }
    const served = message.server.serve();
    if (!served) {
      this.trace(`lost #${call.id} ${call.label} (nobody listening)`);
      return;
    }
    this.trace(`serve #${call.id} ${call.label}`);
    const entry = { alive: served.alive };
    call.serving.push(entry);
    const respond = (response: Response) => {
      call.serving = call.serving.filter((s) => s !== entry);
      if (!served.alive() || call.state !== 'pending') return;
      this.send({ id: this.nextId++, call, kind: 'response', response, server: message.server });
    };
    const failed = () => {
      call.serving = call.serving.filter((s) => s !== entry);
    };
    if (message.server.inline) {
      try {
        respond(await served.response);
      } catch {
        failed();
      }
    } else {
      served.response.then(respond, failed);
    }
  }

  drop(message: Message): void {
    if (message.server.reliable) return;
    this.take(message);
    this.trace(`drop ${message.kind} #${message.call.id} ${message.call.label}`);
  }

  duplicate(message: Message): void {
    if (message.kind !== 'request' || message.server.reliable) return;
    this.trace(`duplicate request #${message.call.id} ${message.call.label}`);
    this.send({ ...message, id: this.nextId++ });
  }

  /** The caller gives up waiting (its deadline passed): it sees a network error. */
  timeout(call: Call): void {
    if (call.state !== 'pending') return;
    call.state = 'failed';
    this.calls.delete(call);
    this.trace(`timeout #${call.id} ${call.label}`);
    call.reject(new TypeError(`simulated timeout: ${call.label}`));
  }

  /** Picks a message to act on (any message: the network reorders freely). */
  pick(rng: Rng): Message | undefined {
    if (this.messages.length === 0) return undefined;
    return this.messages[rng.int(this.messages.length)];
  }

  private send(message: Message): void {
    message.call.inNetwork++;
    this.messages.push(message);
  }

  private take(message: Message): void {
    const i = this.messages.indexOf(message);
    if (i < 0) throw new Error(`message ${message.id} is not in flight`);
    this.messages.splice(i, 1);
    message.call.inNetwork--;
  }
}
