import * as z from 'zod';

/** A stable id per installed app (the PWA's ULID in its local database); the unit of FIFO order. */
export const DeviceId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1–64 URL-safe characters');
export type DeviceId = z.infer<typeof DeviceId>;
