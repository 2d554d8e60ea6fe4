import * as z from 'zod';
import { Cursor } from '../cursor/cursor.ts';
import { Timestamp } from '../ids/entity-id.ts';

/** How far a device has applied the feed, and what it still has to send. Not authoritative. */
export const DeviceCheckpoint = z.object({
  deviceId: z.string().min(1).max(64),
  cursor: Cursor,
  /** Ops waiting in the device's outbox. */
  outboxDepth: z.number().int().min(0).default(0),
  /** Device time the oldest pending op was made (display only). */
  oldestPendingAt: Timestamp.nullable().default(null),
  failedOps: z.number().int().min(0).default(0),
});
export type DeviceCheckpoint = z.infer<typeof DeviceCheckpoint>;
