/**
 * The wire protocol's version. Bump it when a message changes shape.
 *
 * History:
 * - 1: operations, op results, feed entries, snapshots, signed cursors, problem+json errors.
 */
export const PROTOCOL_VERSION = 1;
