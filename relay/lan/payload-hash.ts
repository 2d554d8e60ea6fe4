import { createHash } from 'node:crypto';
import { type Operation, payloadHashMatches } from '#protocol';

/**
 * True when the op's payloadHash matches its payload: protocol's check with node:crypto's
 * synchronous SHA-256. The WebCrypto digest of protocol's async form (it must run in browsers
 * too) was about 13% of the relay's CPU at ingest: an async native call and a byte-by-byte hex
 * encoding per op.
 */
export function hasValidPayloadHashSync(op: Operation): boolean {
  return payloadHashMatches(op, (text) => createHash('sha256').update(text).digest('hex'));
}
