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
 * header is never read. Limits should key on `addressBucket` of it.
 */
export function clientAddress(c: Context, trustedProxies: ReadonlySet<string> = new Set()): string {
  const peer = plain((c.env as BunServerEnv)?.requestIP?.(c.req.raw)?.address ?? UNKNOWN_ADDRESS);
  if (!trustedProxies.has(peer)) return peer;
  const hops = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => plain(hop.trim()))
    .filter((hop) => hop !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trustedProxies.has(hop)) return hop;
  }
  return peer;
}

/**
 * An IPv4 address as such: Bun reports IPv4 callers on a dual-stack socket as IPv4-mapped IPv6
 * (`::ffff:10.0.0.2`), which would match no operator's `10.0.0.2` and count twice per caller.
 */
function plain(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/** Whether an address is this machine's own (127.0.0.0/8, ::1, or IPv4 loopback mapped to IPv6). */
export function isLoopback(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\./i.test(address);
}

/**
 * What a per-address limit counts with: an IPv4 address as it is, an IPv6 one as its /64 (one
 * host may take any address of its /64 at will, privacy addresses do; a fresh address per
 * guess must not bring a fresh budget). Anything else (no address) as it is.
 */
export function addressBucket(address: string): string {
  if (!address.includes(':')) return address;
  const bare = address.split('%')[0] ?? address;
  const [head = '', tail] = bare.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  // An embedded IPv4 tail (::ffff:a.b.c.d and the like) is two groups.
  const width = back.concat(front).reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const full =
    tail === undefined ? front : [...front, ...Array(Math.max(0, 8 - width)).fill('0'), ...back];
  const prefix = full
    .slice(0, 4)
    .map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? Number.parseInt(g, 16).toString(16) : g));
  return `${prefix.join(':')}::/64`;
}
