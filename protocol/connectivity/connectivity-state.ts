import * as z from 'zod';
import { RELAY_CONNECTIVITY_STATES } from './relay-states.ts';

/** The relay's view of its uplink to the cloud (the states and their order: `relay-states.ts`). */
export const RelayConnectivity = z.enum(RELAY_CONNECTIVITY_STATES);
export type RelayConnectivity = z.infer<typeof RelayConnectivity>;

/** A device's view, shown in the resilience banner on every screen. */
export const DeviceConnectivity = z.enum([
  'connected_relay',
  'connected_cloud',
  'degraded',
  'offline',
  'replaying',
]);
export type DeviceConnectivity = z.infer<typeof DeviceConnectivity>;

/** One logged transition, for the resilience route's history. */
export const ConnectivityTransition = z.object({
  from: RelayConnectivity,
  to: RelayConnectivity,
  at: z.iso.datetime({ offset: true }),
  reason: z.string().max(200),
});
export type ConnectivityTransition = z.infer<typeof ConnectivityTransition>;
