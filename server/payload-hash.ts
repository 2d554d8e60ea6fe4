import { createHash } from 'node:crypto';
import { type Operation, payloadHashMatches } from '#protocol';

/**
 * True when the op's payloadHash matches its payload: protocol's check with node:crypto's
 * synchronous SHA-256 (Bun and Node have it). Protocol's own form awaits WebCrypto's digest (it
 * must run in browsers too): an async native call and a byte-by-byte hex encoding per op, a
 * large share of either server's CPU in the batch lane (decision 022).
 */
export function hasValidPayloadHashSync(op: Operation): boolean {
  return payloadHashMatches(op, (text) => createHash('sha256').update(text).digest('hex'));
}
