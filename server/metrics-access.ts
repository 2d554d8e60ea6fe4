import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { clientAddress, isLoopback, UNKNOWN_ADDRESS } from './client-address.ts';
import { problemResponse } from './problem-response.ts';

/**
 * Who may read `/metrics`: a scraper presenting `token` as a bearer token, or a caller on this
 * machine that no proxy forwarded (a loopback peer without `X-Forwarded-For`; in-process
 * callers too). Request counts by route, ops by outcome and wrong-PIN counts are a business's
 * volume and a guesser's feedback: not for the internet. Undefined when allowed; the refusal
 * otherwise (401 `METRICS_TOKEN_REQUIRED`).
 */
export function metricsRefusal(c: Context, token: string | undefined): Response | undefined {
  const peer = clientAddress(c);
  const local =
    (peer === UNKNOWN_ADDRESS || isLoopback(peer)) && c.req.header('x-forwarded-for') === undefined;
  if (local) return undefined;
  const offered = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
  if (token !== undefined && offered !== undefined && same(offered, token)) return undefined;
  return problemResponse(401, 'METRICS_TOKEN_REQUIRED', 'Metrics need a token', {
    kind: 'stop',
    detail: 'scrape with the metrics token as a bearer token, or from this machine',
  });
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
