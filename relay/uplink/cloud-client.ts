import type { z } from 'zod';
import {
  BatchResponse,
  EdgeStaffList,
  FeedPage,
  type Heartbeat,
  type Operation,
  Problem,
  Snapshot,
} from '#protocol';

/** Why an uplink call failed: the network (the link is down), or an HTTP answer that is not OK. */
export class UplinkError extends Error {
  readonly kind: 'network' | 'http' | 'protocol';
  readonly status: number;
  readonly problem: Problem | undefined;
  /** How long the cloud asked us to wait (its Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(
    kind: UplinkError['kind'],
    message: string,
    status = 0,
    problem?: Problem,
    retryAfterMs?: number,
  ) {
    super(message);
    this.kind = kind;
    this.status = status;
    this.problem = problem;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * What the feed follower asks of the cloud: `CloudClient`, or a test's fake cloud. A failure is
 * an `UplinkError`.
 */
export interface CloudFeed {
  snapshot(): Promise<Snapshot>;
  feed(cursor: string, waitSeconds: number): Promise<FeedPage>;
  ack(cursor: string): Promise<void>;
}

/** What the reconciler asks of the cloud: `CloudClient`, or a test's fake cloud. */
export interface CloudReplay {
  /** `decidedAt`: when the relay decided each op (its journal's accept time), by opId. */
  replay(
    deviceId: string,
    ops: readonly Operation[],
    actorToken: string,
    decidedAt?: Readonly<Record<string, string>>,
  ): Promise<BatchResponse>;
}

export interface CloudClientOptions {
  /** Where to send: the primary uplink, or the rescue link while it is open. */
  readonly baseUrl: () => string;
  readonly credential: string;
  readonly venueId: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Counts bytes sent on the current link (the rescue link has a budget). */
  readonly onBytes?: (bytes: number) => void;
}

/** The relay's calls to the cloud. Every call is bounded in time and parses what comes back. */
export class CloudClient implements CloudFeed, CloudReplay {
  private readonly options: CloudClientOptions;

  constructor(options: CloudClientOptions) {
    this.options = options;
  }

  async probe(): Promise<void> {
    await this.request('/healthz', { method: 'GET' }, undefined, 3000);
  }

  snapshot(): Promise<Snapshot> {
    return this.request(`/v1/venues/${this.options.venueId}/snapshot`, { method: 'GET' }, Snapshot);
  }

  feed(cursor: string, waitSeconds: number, limit = 500): Promise<FeedPage> {
    const query = new URLSearchParams({ cursor, wait: String(waitSeconds), limit: String(limit) });
    return this.request(
      `/v1/venues/${this.options.venueId}/feed?${query}`,
      { method: 'GET' },
      FeedPage,
      (waitSeconds + 10) * 1000,
    );
  }

  /** Replays one device's ops with the token of the person who made them. */
  replay(
    deviceId: string,
    ops: readonly Operation[],
    actorToken: string,
    decidedAt?: Readonly<Record<string, string>>,
  ): Promise<BatchResponse> {
    return this.request(
      `/v1/venues/${this.options.venueId}/ops/batch`,
      {
        method: 'POST',
        body: JSON.stringify({ deviceId, ops, ...(decidedAt ? { decidedAt } : {}) }),
        headers: { Authorization: `Bearer ${actorToken}` },
      },
      BatchResponse,
      30_000,
    );
  }

  async ack(cursor: string): Promise<void> {
    await this.request(`/v1/venues/${this.options.venueId}/edge/ack`, {
      method: 'POST',
      body: JSON.stringify({ cursor }),
    });
  }

  async heartbeat(body: Heartbeat): Promise<void> {
    await this.request(`/v1/venues/${this.options.venueId}/edge/heartbeat`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
  }

  staff(): Promise<EdgeStaffList> {
    return this.request(
      `/v1/venues/${this.options.venueId}/edge/staff`,
      { method: 'GET' },
      EdgeStaffList,
    );
  }

  /** A raw request with the relay's credential unless the caller sets Authorization (forwarding). */
  async raw(
    path: string,
    init: RequestInit,
    timeoutMs = this.options.timeoutMs ?? 10_000,
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization'))
      headers.set('Authorization', `Bearer ${this.options.credential}`);
    if (init.body !== undefined && !headers.has('content-type'))
      headers.set('Content-Type', 'application/json');
    if (typeof init.body === 'string') this.options.onBytes?.(init.body.length + path.length);
    try {
      return await (this.options.fetch ?? fetch)(new URL(path, this.options.baseUrl()), {
        ...init,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new UplinkError(
        'network',
        `${init.method ?? 'GET'} ${path.split('?')[0]}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async request<S extends z.ZodType>(
    path: string,
    init: RequestInit,
    schema?: S,
    timeoutMs?: number,
  ): Promise<z.infer<S>> {
    const response = await this.raw(path, init, timeoutMs);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new UplinkError(
        'network',
        `reading ${path}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!response.ok) {
      const problem = parseProblem(text);
      throw new UplinkError(
        'http',
        `${init.method ?? 'GET'} ${path} → ${response.status} ${problem?.code ?? ''}`,
        response.status,
        problem,
        retryAfterOf(response.headers.get('retry-after'), problem),
      );
    }
    if (!schema) return undefined as z.infer<S>;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (_error) {
      throw new UplinkError(
        'protocol',
        `${path} answered something that is not JSON`,
        response.status,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new UplinkError('protocol', `${path} answered an unexpected shape`, response.status);
    return parsed.data;
  }
}

/** Retry-After in seconds (what the cloud sends), else the problem's `retryAfter`; in ms. */
function retryAfterOf(header: string | null, problem: Problem | undefined): number | undefined {
  const seconds = header !== null && /^\s*\d+\s*$/.test(header) ? Number(header) : undefined;
  const wait = seconds ?? problem?.retryAfter;
  return wait === undefined ? undefined : wait * 1000;
}

function parseProblem(text: string): Problem | undefined {
  try {
    const parsed = Problem.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}
