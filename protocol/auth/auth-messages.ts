import * as z from 'zod';
import { EntityId, Timestamp } from '../ids/entity-id.ts';
import { Principal } from './principal.ts';

/** `POST /v1/auth/staff`: a staff member signs in at a venue with their PIN. */
export const StaffSignInRequest = z.object({
  venueId: EntityId,
  pin: z.string().regex(/^[0-9]{4,8}$/, 'must be 4 to 8 digits'),
});
export type StaffSignInRequest = z.infer<typeof StaffSignInRequest>;

/** `POST /v1/auth/guest`: a guest opens a table session from the table's QR card. */
export const GuestSignInRequest = z.object({
  venueId: EntityId,
  /** The label printed on the table ("5", "Bar 3"), not its entity id. */
  table: z.string().min(1).max(20),
});
export type GuestSignInRequest = z.infer<typeof GuestSignInRequest>;

/** The answer to a sign-in: the bearer token, when it stops working, and who it stands for. */
export const TokenResponse = z.object({
  token: z.string().min(1).max(8192),
  expiresAt: Timestamp,
  principal: Principal,
});
export type TokenResponse = z.infer<typeof TokenResponse>;
