import {
  createTokenSigner,
  credentialDigestOf,
  type Device,
  type DeviceRole,
  decodeBase64Url,
  digestPin,
  EcPrivateJwk,
  EcPublicJwk,
  type EntitySet,
  encodeBase64Url,
  generateTokenKeyPair,
  listEntities,
  newDeviceSecret,
  newUlid,
  type Projectable,
  type TokenSigner,
} from '#protocol';
import { NOW, TENANT, VENUE, venueState } from '../../tests/protocol/support/venue-fixture.ts';
import type { RelayIdentity } from '../identity/relay-identity.ts';
import { LanDevices } from '../lan/lan-devices.ts';
import type { RelayStore, StaffRecord } from '../store/relay-store.ts';
import type { RelayBus } from '../sync/feed-bus.ts';
import { VenueEngine } from '../sync/venue-engine.ts';
import type { UplinkGate } from '../uplink/uplink-gate.ts';

/** The uplink is down: nothing is forwarded (a small adapter of the gate port). */
export const offlineGate: UplinkGate = { direct: () => false, forward: async () => undefined };

/**
 * A relay identity with fresh keys (made once per test file), the relay's token signer, and the
 * cloud's (whose public key the identity holds from enrollment).
 */
export const testRelayKeys: Promise<{
  identity: RelayIdentity;
  signer: TokenSigner;
  cloudSigner: TokenSigner;
}> = (async () => {
  const relay = await generateTokenKeyPair();
  const cloud = await generateTokenKeyPair();
  const identity: RelayIdentity = {
    nodeId: 'relay-1',
    tenantId: TENANT,
    venueId: VENUE,
    cloudUrl: 'https://cloud.example',
    credential: 'relay-credential-0123456789',
    signingJwk: EcPrivateJwk.parse(await crypto.subtle.exportKey('jwk', relay.privateKey)),
    verificationKeys: [
      {
        kid: 'cloud-1',
        jwk: EcPublicJwk.parse(await crypto.subtle.exportKey('jwk', cloud.publicKey)),
      },
    ],
    venuePinKey: encodeBase64Url(new Uint8Array(32).fill(3)),
    cursorSecret: encodeBase64Url(new Uint8Array(32).fill(5)),
    enrolledAt: NOW,
  };
  return {
    identity,
    signer: createTokenSigner({ privateKey: relay.privateKey, kid: 'relay:relay-1' }),
    cloudSigner: createTokenSigner({ privateKey: cloud.privateKey, kid: 'cloud-1' }),
  };
})();

/** Every entity of a set as upserts at its version (a snapshot, as feed changes). */
export function upserts(set: EntitySet): Projectable[] {
  return (Object.keys(set) as (keyof EntitySet)[]).flatMap((kind) =>
    listEntities(set, kind).map(
      (data) =>
        ({ entity: kind, id: data.id, op: 'upsert', data, version: data.version }) as Projectable,
    ),
  );
}

/** A venue engine over `store`, bootstrapped with the fixture venue as the cloud's snapshot. */
export async function bootstrappedEngine(
  store: RelayStore,
  bus: RelayBus,
  clock: () => Date,
): Promise<VenueEngine> {
  const engine = new VenueEngine({
    store,
    bus,
    clock,
    tenantId: TENANT,
    venueId: VENUE,
    onFatal: (error) => {
      throw error;
    },
  });
  await engine.applyCloud({
    entries: upserts(venueState().entities),
    cursor: { cursor: 'cloud-cursor-0', seq: 10 },
    reset: true,
  });
  return engine;
}

/** Staff records as the relay stores them: each PIN digested with `identity`'s venue PIN key. */
export async function staffWithPins(
  identity: RelayIdentity,
  members: readonly (Omit<StaffRecord, 'pinDigest'> & { readonly pin: string })[],
): Promise<StaffRecord[]> {
  const pinKey = decodeBase64Url(identity.venuePinKey) ?? new Uint8Array();
  return Promise.all(
    members.map(async ({ pin, ...member }) => ({
      ...member,
      pinDigest: await digestPin(pinKey, pin),
    })),
  );
}

/** The venue's devices as the LAN app sees them: `engine`'s visible layer, revokes from `bus`. */
export function lanDevices(engine: VenueEngine, bus: RelayBus, clock: () => Date): LanDevices {
  return new LanDevices({ visible: () => engine.visible, bus, venueId: VENUE, clock });
}

/** A device paired as the operator's setup code pairs one (decided by the relay). */
export interface PairedDevice {
  readonly deviceId: string;
  /** Its credential, as the `hearth_device` cookie or `X-Hearth-Device` carries it. */
  readonly secret: string;
  /** The header a scripted client sends it in. */
  readonly headers: { readonly 'X-Hearth-Device': string };
}

/**
 * Pairs a device in `engine` as the cloud's feed brings one (a confirmed `device` entity, no
 * journal record): the relay knows it whatever its uplink does.
 */
export async function pairDevice(
  engine: VenueEngine,
  deviceId = 'tablet-1',
  role: DeviceRole = 'floor',
): Promise<PairedDevice> {
  const secret = newDeviceSecret();
  const device: Device = {
    id: deviceId,
    name: `Tablet ${deviceId}`,
    role,
    pairingId: newUlid(),
    credentialDigest: await credentialDigestOf(secret),
    pairedBy: 'setup',
    pairedAt: NOW,
    revoked: false,
    revokedBy: null,
    revokedAt: null,
    version: 1,
  };
  await engine.applyCloud({
    entries: [{ entity: 'device', id: deviceId, op: 'upsert', data: device, version: 1 }],
  });
  return { deviceId, secret, headers: { 'X-Hearth-Device': secret } };
}
