import { DEVICE_HEADER, DevicePaired, type DeviceRole } from '#protocol';
import { setupPairingCode } from '../devices/setup-code.ts';
import { DEMO } from '../seed/demo-seed.ts';
import type { TestApp } from './test-app.ts';

/** A device paired in a test: its id and credential, and the header that sends it. */
export interface PairedTestDevice {
  readonly deviceId: string;
  readonly secret: string;
  /** `X-Hearth-Device: <secret>`: what a scripted client signs in with. */
  readonly header: Readonly<Record<string, string>>;
}

let devices = 0;

/**
 * Pairs a device with a venue through the real `POST /v1/devices/pair`, with a setup code
 * signed by the test cloud's key (what the operator's `npm run pair` does).
 */
export async function pairTestDevice(
  t: Pick<TestApp, 'app' | 'keys' | 'clock'>,
  options: {
    readonly tenantId?: string;
    readonly venueId?: string;
    readonly role?: DeviceRole;
    readonly deviceId?: string;
    readonly name?: string;
  } = {},
): Promise<PairedTestDevice> {
  const { code } = await setupPairingCode(t.keys.signer, {
    tenantId: options.tenantId ?? DEMO.tenantId,
    venueId: options.venueId ?? DEMO.venueId,
    role: options.role ?? 'floor',
    origin: 'http://cloud.test',
    nowMs: t.clock.now().getTime(),
  });
  const deviceId = options.deviceId ?? `test-device-${++devices}`;
  const res = await t.app.request('/v1/devices/pair', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, deviceId, name: options.name ?? 'Test tablet' }),
  });
  if (res.status !== 201) throw new Error(`pairing failed: ${res.status} ${await res.text()}`);
  DevicePaired.parse(await res.json());
  const secret = /hearth_device=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!secret) throw new Error('pairing set no device cookie');
  return { deviceId, secret, header: { [DEVICE_HEADER]: secret } };
}
