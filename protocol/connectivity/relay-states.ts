/**
 * The relay's views of its uplink to the cloud, as plain data: the zod schema in
 * `connectivity-state.ts` is built from this list, and bundles that must stay free of zod (a
 * page's first paint) read it from here.
 *
 * online → degraded → offline_local → (rescue_uplink) → reconciling → recovered → online
 */
export const RELAY_CONNECTIVITY_STATES = [
  'online',
  'degraded',
  'offline_local',
  'rescue_uplink',
  'reconciling',
  'recovered',
] as const;
