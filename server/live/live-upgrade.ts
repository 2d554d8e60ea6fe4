import type { MiddlewareHandler } from 'hono';
import { LIVE_SUBPROTOCOL, offeredSubprotocols, type ProblemExtras } from '#protocol';
import { originAllowed } from '../origin-policy.ts';
import type { LiveConnection, LiveSocketData } from './live-connection.ts';

/** The server's problem+json answer (each server passes its own `problemResponse`). */
export type ProblemReply = (
  status: number,
  code: string,
  title: string,
  extras?: ProblemExtras,
) => Response;

/** The parts of Bun's `Server` a live route uses; Bun passes the server as Hono's `c.env`. */
interface Upgrader {
  upgrade(
    request: Request,
    options: { data: LiveSocketData; headers?: Record<string, string> },
  ): boolean;
}

function isUpgrader(env: unknown): env is Upgrader {
  return (
    typeof env === 'object' && env !== null && 'upgrade' in env && typeof env.upgrade === 'function'
  );
}

/**
 * 403 `ORIGIN_NOT_ALLOWED` for a browser page of another origin (`Origin` neither the server's
 * own nor one of `allowed`), mounted before the caller's check: a cross-site page is refused
 * for what it is, whatever credentials its browser sends along, and never upgraded.
 */
export function requireAllowedOrigin(
  allowed: readonly string[],
  reply: ProblemReply,
): MiddlewareHandler {
  return async (c, next) => {
    if (originAllowed(c.req.raw, allowed)) return next();
    return reply(403, 'ORIGIN_NOT_ALLOWED', 'Origin not allowed', {
      kind: 'stop',
      detail: 'open the live feed from a page this server serves, or from its allowed origins',
    });
  };
}

/** 426 unless the request asks for a websocket: `…/live` is never answered as plain HTTP. */
export function requireWebsocket(request: Request, reply: ProblemReply): Response | undefined {
  if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') return undefined;
  return reply(426, 'UPGRADE_REQUIRED', 'Websocket only', {
    kind: 'fix_request',
    detail: 'open this path as a websocket, or poll …/feed',
  });
}

/** 400 for a live request without `?cursor=`. */
export function cursorRequired(reply: ProblemReply): Response {
  return reply(400, 'CURSOR_REQUIRED', 'Cursor required', {
    kind: 'fix_request',
    detail: 'resume with ?cursor= from a snapshot or a feed page',
  });
}

/**
 * Upgrades a request every check has passed, echoing `hearth.v1` when the client offered it
 * (never its `bearer.<token>` entry). `hono/bun` is not used: it reads the global `Bun` on
 * import (nothing importing it runs under Node's vitest).
 */
export function upgradeLive(
  env: unknown,
  request: Request,
  connect: () => LiveConnection,
  reply: ProblemReply,
): Response {
  if (!isUpgrader(env)) {
    return reply(501, 'WEBSOCKET_UNAVAILABLE', 'Websocket not served here', {
      kind: 'back_off',
      detail: 'this server cannot upgrade; poll …/feed with wait=',
    });
  }
  const offered = offeredSubprotocols(request.headers.get('sec-websocket-protocol'));
  const headers: Record<string, string> = offered.includes(LIVE_SUBPROTOCOL)
    ? { 'Sec-WebSocket-Protocol': LIVE_SUBPROTOCOL }
    : {};
  if (!env.upgrade(request, { data: { connection: connect() }, headers })) {
    return reply(400, 'UPGRADE_FAILED', 'Websocket upgrade failed', { kind: 'fix_request' });
  }
  // Bun ignores the response of an upgraded request; Hono needs one.
  return new Response(null);
}
