import type { Authenticator, AuthResult } from '../http/caller.ts';
import type { DeviceRegistry } from './device-registry.ts';

/**
 * Wraps an authenticator so that a person whose token names a device (`did`) that the venue
 * has revoked is refused, 401 `DEVICE_REVOKED`, on every route, and a device that passes is
 * noted as seen. A device the cloud does not know yet passes: a relay may have paired it
 * offline, and its `device.pair` reaches the cloud on replay.
 */
export function checkingDevices(inner: Authenticator, devices: DeviceRegistry): Authenticator {
  return {
    async authenticate(request: Request): Promise<AuthResult | undefined> {
      const result = await inner.authenticate(request);
      if (!result?.ok || result.caller.kind !== 'principal' || result.caller.did === undefined) {
        return result;
      }
      const { venueId } = result.caller.principal;
      const device = await devices.get(venueId, result.caller.did);
      if (device?.revoked) return DEVICE_REVOKED;
      devices.seen(venueId, result.caller.did);
      return result;
    },
  };
}

const DEVICE_REVOKED: AuthResult = {
  ok: false,
  status: 401,
  code: 'DEVICE_REVOKED',
  detail: 'this device is no longer paired with the venue; ask a manager to pair it again',
};
