import type { Device } from '../entities/device.ts';
import { type EntitySet, listEntities } from './entity-set.ts';

/**
 * The device whose credential has this digest, paired or revoked, if any. A venue pairs tens
 * of devices, so a scan; the digests are of 256-bit secrets, so two never collide.
 */
export function deviceWithCredential(entities: EntitySet, digest: string): Device | undefined {
  return listEntities(entities, 'device').find((d) => d.credentialDigest === digest);
}
