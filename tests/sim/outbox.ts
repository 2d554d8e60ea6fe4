import type { Operation, OpResult } from '#protocol';

/** One op in a device's outbox: queued until a final answer, then done (acknowledged) or rejected. */
export interface OutboxEntry {
  readonly op: Operation;
  status: 'queued' | 'done' | 'rejected';
  sends: number;
  final?: OpResult;
}

/** How a device reads an answer: final (acknowledged or rejected) or try again with the same opId. */
export type Verdict =
  | { readonly kind: 'ack'; readonly result: OpResult }
  | { readonly kind: 'rejected'; readonly result: OpResult }
  | { readonly kind: 'retry'; readonly why: string };

/** The first result behind a `duplicate`. */
export function finalOf(result: OpResult): OpResult {
  return result.status === 'duplicate' ? result.first : result;
}

/** One op's result in a batch answer. */
export function verdictOfResult(result: OpResult): Verdict {
  if (result.status === 'retryable') return { kind: 'retry', why: result.code };
  return finalOf(result).status === 'rejected'
    ? { kind: 'rejected', result }
    : { kind: 'ack', result };
}

/** Reads an HTTP answer of the direct write lane (relay or cloud: the same shapes). */
export async function verdictOf(opId: string, response: Response): Promise<Verdict> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: 'retry', why: `${response.status} not JSON` };
  }
  const b = body as { status?: unknown; result?: OpResult; code?: string };
  if (response.status === 201 || response.status === 202 || response.status === 200) {
    const result = body as OpResult;
    if (result.status === 'retryable') return { kind: 'retry', why: result.code };
    const final = finalOf(result);
    return final.status === 'rejected' ? { kind: 'rejected', result } : { kind: 'ack', result };
  }
  if (response.status === 422 && b.result) return { kind: 'rejected', result: b.result };
  if (response.status === 429 || response.status === 503 || response.status >= 500)
    return { kind: 'retry', why: `${response.status} ${b.code ?? ''}` };
  const kind = (body as { kind?: unknown }).kind;
  if (response.status === 409 || kind === 'retry_later' || kind === 'back_off')
    return { kind: 'retry', why: `${response.status} ${b.code ?? ''}` };
  // Any other refusal is final for this op (a device bug): recorded as a rejection.
  return {
    kind: 'rejected',
    result: {
      opId,
      status: 'rejected',
      code: 'VALIDATION',
      message: `${response.status} ${b.code ?? ''}`,
    },
  };
}

/** The device outbox: FIFO, one request in flight, the same opId on every resend. */
export class Outbox {
  readonly entries: OutboxEntry[] = [];
  sending = false;

  push(op: Operation): void {
    this.entries.push({ op, status: 'queued', sends: 0 });
  }

  /** The oldest op still waiting for a final answer. */
  head(): OutboxEntry | undefined {
    return this.entries.find((e) => e.status === 'queued');
  }

  /** The oldest ops still waiting, in order (a batch). */
  heads(max: number): OutboxEntry[] {
    return this.entries.filter((e) => e.status === 'queued').slice(0, max);
  }

  get queued(): number {
    return this.entries.filter((e) => e.status === 'queued').length;
  }

  settle(entry: OutboxEntry, verdict: Verdict): void {
    if (verdict.kind === 'retry') return;
    entry.status = verdict.kind === 'ack' ? 'done' : 'rejected';
    entry.final = verdict.result;
  }
}
