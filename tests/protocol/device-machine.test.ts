import { beforeAll, describe, expect, it } from 'vitest';
import {
  credentialDigestOf,
  DEVICE_EVENTS,
  DEVICE_STATES,
  type DeviceEvent,
  type DeviceState,
  decide,
  deviceStateOf,
  deviceStep,
  deviceWithCredential,
  getEntity,
  newDeviceSecret,
  resolveScopes,
  STAFF_SCOPES,
  type VenueState,
} from '#protocol';
import { applyAll, type Verdict } from './support/run-ops.ts';
import { ctxFor, NOW, opOf, staff, venueState } from './support/venue-fixture.ts';

const deviceTable: Record<DeviceState, Record<DeviceEvent, Verdict>> = {
  absent: { pair: { moved: 'paired' }, revoke: 'refused' },
  paired: { pair: 'unchanged', revoke: { moved: 'revoked' } },
  revoked: { pair: { moved: 'paired' }, revoke: 'unchanged' },
};

const manager = staff('manager');
const LATER = '2026-11-23T20:00:00.000Z';
let pairingNo = 0;
/** A pair op with a fresh pairing code each time (codes are single use). */
const pairOp = (digest = 'a'.repeat(43), deviceId = 'bar-tablet') =>
  opOf('device.pair', {
    deviceId,
    name: 'Bar tablet',
    role: 'floor',
    pairingId: `01JD00000000000000000002${String(++pairingNo).padStart(2, '0')}`,
    credentialDigest: digest,
  });
const revokeOp = (deviceId = 'bar-tablet') => opOf('device.revoke', { deviceId });
const states = {} as Record<DeviceState, VenueState>;
const read = (s: VenueState) => deviceStateOf(getEntity(s.entities, 'device', 'bar-tablet'));

beforeAll(async () => {
  states.absent = venueState();
  states.paired = applyAll(states.absent, [await pairOp()]);
  states.revoked = applyAll(states.paired, [await revokeOp()]);
});

describe('the device state machine', () => {
  const cells = DEVICE_STATES.flatMap((from) => DEVICE_EVENTS.map((e) => [from, e] as const));

  it('has a row for every state and a cell for every event', () => {
    expect(Object.keys(deviceTable).sort()).toEqual([...DEVICE_STATES].sort());
    expect(cells).toHaveLength(DEVICE_STATES.length * DEVICE_EVENTS.length);
  });

  it.each(cells)('%s × %s: the pure step and the decider follow the table', async (from, event) => {
    const expected = deviceTable[from][event];
    const result = deviceStep(from, event);
    if (expected === 'refused') expect(result.kind).toBe('refused');
    else expect(result).toMatchObject({ to: expected === 'unchanged' ? from : expected.moved });

    const op = event === 'pair' ? await pairOp() : await revokeOp();
    const decision = decide(states[from], op, ctxFor(manager, LATER));
    if (expected === 'refused') {
      expect(decision).toMatchObject({ kind: 'rejected', code: 'NOT_FOUND' });
      return;
    }
    if (decision.kind !== 'applied') throw new Error(`rejected: ${decision.code}`);
    const after = read(decision.state);
    expect(after).toBe(expected === 'unchanged' ? from : expected.moved);
  });
});

describe('device deciders', () => {
  it('pairs: the entity carries the digest, who paired it and when, and is not revoked', async () => {
    const digest = await credentialDigestOf(newDeviceSecret());
    const decision = decide(venueState(), await pairOp(digest), ctxFor(manager));
    if (decision.kind !== 'applied') throw new Error('rejected');
    expect(getEntity(decision.state.entities, 'device', 'bar-tablet')).toEqual({
      id: 'bar-tablet',
      name: 'Bar tablet',
      role: 'floor',
      pairingId: expect.stringMatching(/^01JD/),
      credentialDigest: digest,
      pairedBy: 'manager-1',
      pairedAt: NOW,
      revoked: false,
      revokedBy: null,
      revokedAt: null,
      version: 1,
    });
    expect(deviceWithCredential(decision.state.entities, digest)?.id).toBe('bar-tablet');
    expect(deviceWithCredential(decision.state.entities, 'b'.repeat(43))).toBeUndefined();
  });

  it('a pairing code pairs once: a second pair with its pairingId is PAIRING_USED, any device', async () => {
    const first = await pairOp();
    const state = applyAll(venueState(), [first]);
    for (const deviceId of ['bar-tablet', 'kitchen-screen']) {
      const again = await opOf('device.pair', { ...first.payload, deviceId });
      expect(decide(state, again, ctxFor(manager))).toMatchObject({
        kind: 'rejected',
        code: 'PAIRING_USED',
      });
    }
    // Revoking the device does not free its code.
    const revoked = applyAll(state, [await revokeOp()]);
    const retry = await opOf('device.pair', first.payload);
    expect(decide(revoked, retry, ctxFor(manager))).toMatchObject({ code: 'PAIRING_USED' });
  });

  it('re-pairs a paired device with a new credential, and a revoked one back to paired', async () => {
    const second = 'c'.repeat(43);
    const repaired = decide(states.paired, await pairOp(second), ctxFor(manager, LATER));
    if (repaired.kind !== 'applied') throw new Error('rejected');
    const device = getEntity(repaired.state.entities, 'device', 'bar-tablet');
    expect(device).toMatchObject({ credentialDigest: second, revoked: false, version: 2 });
    // The old credential finds nothing any more.
    expect(deviceWithCredential(repaired.state.entities, 'a'.repeat(43))).toBeUndefined();

    const back = decide(states.revoked, await pairOp(second), ctxFor(manager, LATER));
    if (back.kind !== 'applied') throw new Error('rejected');
    expect(getEntity(back.state.entities, 'device', 'bar-tablet')).toMatchObject({
      revoked: false,
      revokedBy: null,
      revokedAt: null,
      credentialDigest: second,
    });
  });

  it('revokes: who and when are kept; a repeat changes nothing; an unknown device is NOT_FOUND', async () => {
    const decision = decide(states.paired, await revokeOp(), ctxFor(manager, LATER));
    if (decision.kind !== 'applied') throw new Error('rejected');
    expect(getEntity(decision.state.entities, 'device', 'bar-tablet')).toMatchObject({
      revoked: true,
      revokedBy: 'manager-1',
      revokedAt: LATER,
    });
    const again = decide(decision.state, await revokeOp(), ctxFor(manager));
    expect(again).toMatchObject({ kind: 'applied', changes: [] });
    expect(decide(venueState(), await revokeOp('nobody'), ctxFor(manager))).toMatchObject({
      kind: 'rejected',
      code: 'NOT_FOUND',
    });
  });

  it.each(['server', 'kitchen'] as const)('a %s may neither pair nor revoke', async (role) => {
    const who = staff(role);
    const pair = await opOf('device.pair', (await pairOp()).payload, who);
    const revoke = await opOf('device.revoke', { deviceId: 'bar-tablet' }, who);
    expect(decide(venueState(), pair, ctxFor(who))).toMatchObject({ code: 'FORBIDDEN' });
    expect(decide(states.paired, revoke, ctxFor(who))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('an owner may pair and revoke', async () => {
    const owner = staff('owner');
    const pair = await opOf('device.pair', (await pairOp()).payload, owner);
    const paired = decide(venueState(), pair, ctxFor(owner));
    expect(paired.kind).toBe('applied');
    if (paired.kind !== 'applied') return;
    const revoke = await opOf('device.revoke', { deviceId: 'bar-tablet' }, owner);
    expect(decide(paired.state, revoke, ctxFor(owner)).kind).toBe('applied');
  });
});

describe('the device scope', () => {
  it('managers, owners and relays read it; servers and kitchens do not; guests never', () => {
    for (const reader of ['manager', 'owner', 'relay'] as const) {
      expect(resolveScopes(reader, 'device')).toMatchObject({ ok: true, kinds: ['device'] });
      const all = resolveScopes(reader, undefined);
      expect(all.ok && all.scopes.includes('device')).toBe(true);
    }
    for (const reader of ['server', 'kitchen', 'guest'] as const) {
      expect(resolveScopes(reader, 'device')).toMatchObject({
        ok: false,
        rejection: { status: 403, code: 'SCOPE_FORBIDDEN' },
      });
      const all = resolveScopes(reader, undefined);
      expect(all.ok && all.kinds.includes('device')).toBe(false);
    }
    expect(STAFF_SCOPES).not.toContain('device');
  });
});
