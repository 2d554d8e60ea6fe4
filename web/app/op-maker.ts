import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Operation, OperationType } from '#protocol';
import { newUlid } from '#protocol/ids/ulid.ts';
import { makeOperationNow, type OperationDraft } from '#protocol/ops/make-operation.ts';

/*
 * What a screen needs to make an op without awaiting anything: protocol's schemas (zod), the
 * ULID maker and a synchronous SHA-256 (@noble/hashes). Loaded once after the screen paints, so
 * a tap makes its op and hands it to the service worker in the tap's own task; a later task
 * would wait for the frame the browser paints first after any tap (decision 009).
 */

/** SHA-256 of a UTF-8 string, lower-case hex: what protocol's `payloadHash` computes. */
export function sha256HexNow(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** `makeOperation`, synchronously. Throws the payload's ZodError when it is invalid. */
export function makeOperationHere<T extends OperationType>(draft: OperationDraft<T>): Operation {
  return makeOperationNow(draft, sha256HexNow);
}

export { newUlid };
