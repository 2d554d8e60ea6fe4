import type { Context } from 'hono';

/** Bun's server as Hono's env under `Bun.serve({ fetch: app.fetch })`. */
type BunServerEnv = { requestIP?: (request: Request) => { address: string } | null } | undefined;

/** The one key every caller shares when the server cannot say who is calling (tests, no Bun). */
export const UNKNOWN_ADDRESS = 'unknown';

/**
 * The address a request came from, for per-address limits. The peer's address (Bun's
 * `requestIP`), unless that peer is one of `trustedProxies`: then the nearest address in
 * `X-Forwarded-For` that is not itself a trusted proxy (the header is the client's to write,
 * so only the entries our own proxies appended are believed). Without trusted proxies the
 * header is never read.
 */
export function clientAddress(c: Context, trustedProxies: ReadonlySet<string> = new Set()): string {
  const peer = (c.env as BunServerEnv)?.requestIP?.(c.req.raw)?.address ?? UNKNOWN_ADDRESS;
  if (!trustedProxies.has(peer)) return peer;
  const hops = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trustedProxies.has(hop)) return hop;
  }
  return peer;
}

/** Whether an address is this machine's own (127.0.0.0/8, ::1, or IPv4 loopback mapped to IPv6). */
export function isLoopback(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\./i.test(address);
}
