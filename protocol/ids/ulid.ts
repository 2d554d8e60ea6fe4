import { decodeTime, monotonicFactory } from 'ulid';
import * as z from 'zod';

// Crockford base32, 26 characters; the first character is at most 7 (48-bit time).
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** A ULID string: the form of every op id and of every entity id made on a device. */
export const Ulid = z
  .string()
  .regex(ULID_PATTERN, 'must be a ULID (26 Crockford base32 characters)');
export type Ulid = z.infer<typeof Ulid>;

const monotonic = monotonicFactory();

/** A new ULID; monotonic within this runtime, so ids made in the same millisecond still sort. */
export function newUlid(now: number = Date.now()): Ulid {
  return monotonic(now);
}

/** True when `value` is a well-formed ULID. */
export function isUlid(value: unknown): value is Ulid {
  return typeof value === 'string' && ULID_PATTERN.test(value);
}

/** The millisecond timestamp a ULID carries (for display and audit only). */
export function ulidTime(id: Ulid): number {
  return decodeTime(id);
}
