import { deviceStateOf, deviceStep } from '../domain/device-machine.ts';
import type { OperationOfType } from '../ops/operation.ts';
import { listEntities } from '../state/entity-set.ts';
import type { VenueState } from '../state/venue-state.ts';
import { type DecideContext, type Decision, reject } from './decision.ts';
import { Draft, unchanged } from './draft.ts';

/**
 * `device.pair`: a pairing code pairs once. Decided on the venue's state (is any device paired
 * with this pairingId?), so a relay deciding offline and the cloud deciding at replay agree.
 * A device id already known, paired or revoked, is paired again: new credential, not revoked.
 */
export function decideDevicePair(
  state: VenueState,
  op: OperationOfType<'device.pair'>,
  ctx: DecideContext,
): Decision {
  const { deviceId, name, role, pairingId, credentialDigest } = op.payload;
  const used = listEntities(state.entities, 'device').find((d) => d.pairingId === pairingId);
  if (used !== undefined) {
    return reject('PAIRING_USED', 'this pairing code has been used; ask for a new one', used);
  }
  const draft = new Draft(state);
  const existing = draft.get('device', deviceId);
  if (deviceStep(deviceStateOf(existing), 'pair').kind === 'refused') {
    return reject('INVALID_STATE_TRANSITION', `device ${deviceId} cannot be paired`, existing);
  }
  draft.put(
    'device',
    {
      id: deviceId,
      name,
      role,
      pairingId,
      credentialDigest,
      pairedBy: op.actorId,
      pairedAt: ctx.now,
      revoked: false,
      revokedBy: null,
      revokedAt: null,
    },
    existing?.version ?? 0,
  );
  return draft.commit();
}

/** `device.revoke`: the device's credential and sessions stop working; a repeat changes nothing. */
export function decideDeviceRevoke(
  state: VenueState,
  op: OperationOfType<'device.revoke'>,
  ctx: DecideContext,
): Decision {
  const { deviceId } = op.payload;
  const draft = new Draft(state);
  const existing = draft.get('device', deviceId);
  const next = deviceStep(deviceStateOf(existing), 'revoke');
  if (next.kind === 'refused' || existing === undefined) {
    return reject('NOT_FOUND', `no device ${deviceId}`);
  }
  if (next.kind === 'unchanged') return unchanged(state);
  const { version, ...rest } = existing;
  draft.put(
    'device',
    { ...rest, revoked: true, revokedBy: op.actorId, revokedAt: ctx.now },
    version,
  );
  return draft.commit();
}
