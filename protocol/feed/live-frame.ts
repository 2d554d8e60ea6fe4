import * as z from 'zod';
import { Cursor } from '../cursor/cursor.ts';
import { Problem } from '../errors/problem.ts';
import { OpResult } from '../ops/op-result.ts';
import { FeedEntry } from './feed-entry.ts';

/**
 * The live feed (`GET …/live`, a websocket) as the cloud and the relay speak it: JSON text
 * frames, server to client only. A client resumes after a close with the last cursor it got.
 */

/** Entries of the client's scopes, in seq order; `cursor` covers all of them. */
export const LiveEntriesFrame = z.object({
  type: z.literal('entries'),
  entries: z.array(FeedEntry).readonly(),
  cursor: Cursor,
});

/** The stream's head, and a cursor for everything sent so far (the first says "caught up"). */
export const LiveHeartbeatFrame = z.object({
  type: z.literal('heartbeat'),
  head: z.number().int().min(0),
  cursor: Cursor,
});

/** The relay's word on an op this device made (a staff socket opened with its `deviceId`). */
export const LiveNoticeFrame = z.object({ type: z.literal('notice'), result: OpResult });

/** The last frame before the server closes: why, and what the client does about it. */
export const LiveErrorFrame = z.object({ type: z.literal('error'), problem: Problem });

export const LiveFrame = z.discriminatedUnion('type', [
  LiveEntriesFrame,
  LiveHeartbeatFrame,
  LiveNoticeFrame,
  LiveErrorFrame,
]);
export type LiveFrame = z.infer<typeof LiveFrame>;
export type LiveEntriesFrame = z.infer<typeof LiveEntriesFrame>;
export type LiveHeartbeatFrame = z.infer<typeof LiveHeartbeatFrame>;
export type LiveNoticeFrame = z.infer<typeof LiveNoticeFrame>;
export type LiveErrorFrame = z.infer<typeof LiveErrorFrame>;

/**
 * Close codes after an error frame: 4008 the client was too slow (resume from the last cursor),
 * 4010 the stream was reset or compacted (load a snapshot), 4401 the device the person signed in
 * on was revoked (sign out; reason `DEVICE_REVOKED`), 1011 the server failed (resume).
 */
export const LIVE_CLOSE = {
  slowConsumer: 4008,
  reBootstrap: 4010,
  deviceRevoked: 4401,
  internal: 1011,
} as const;

/** The subprotocol a client offers and the server echoes (never the bearer entry). */
export const LIVE_SUBPROTOCOL = 'hearth.v1';

/** A browser cannot set headers on a websocket: it may offer its token as `bearer.<token>`. */
export const BEARER_SUBPROTOCOL_PREFIX = 'bearer.';

/** The subprotocols a client offers: `hearth.v1`, and its token when it has one to send. */
export function liveSubprotocols(token?: string): string[] {
  return token === undefined
    ? [LIVE_SUBPROTOCOL]
    : [LIVE_SUBPROTOCOL, `${BEARER_SUBPROTOCOL_PREFIX}${token}`];
}

/** The token in a `Sec-WebSocket-Protocol` header's `bearer.<token>` entry, if there is one. */
export function bearerOfSubprotocols(header: string | null | undefined): string | undefined {
  const entry = offeredSubprotocols(header).find((p) => p.startsWith(BEARER_SUBPROTOCOL_PREFIX));
  return entry?.slice(BEARER_SUBPROTOCOL_PREFIX.length);
}

/** The `Sec-WebSocket-Protocol` entries a client offered, in its order. */
export function offeredSubprotocols(header: string | null | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}
