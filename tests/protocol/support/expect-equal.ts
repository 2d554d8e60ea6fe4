import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';

/**
 * `expect(actual).toEqual(expected)` for whole entity sets in property tests, Node's deep
 * equality first: it is far faster than vitest's on a venue's state, and whatever it finds equal
 * toEqual does too; a mismatch still goes to toEqual for the verdict and the diff.
 */
export function expectEqual(actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toEqual(expected);
}
