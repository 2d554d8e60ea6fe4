import * as z from 'zod';

/** Staff roles, least to most privileged. */
export const StaffRole = z.enum(['server', 'kitchen', 'manager', 'owner']);
export type StaffRole = z.infer<typeof StaffRole>;

/** Everyone who can act: staff roles and a guest at a table. */
export const Role = z.enum(['guest', ...StaffRole.options]);
export type Role = z.infer<typeof Role>;
