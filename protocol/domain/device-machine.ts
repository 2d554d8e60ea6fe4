import { type Step, step, type TransitionTable } from './state-machine.ts';

/*
 *   device:  absent ──pair──▶ paired ──revoke──▶ revoked ──pair──▶ paired
 *            paired ──pair──▶ paired   (paired again: a new credential)
 *            revoked ──revoke──▶ revoked   (a repeat changes nothing)
 *            absent ──revoke──✗  (no such device)
 */
export const DEVICE_STATES = ['absent', 'paired', 'revoked'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];
export const DEVICE_EVENTS = ['pair', 'revoke'] as const;
export type DeviceEvent = (typeof DEVICE_EVENTS)[number];

export const deviceTransitions: TransitionTable<DeviceState, DeviceEvent> = {
  absent: { pair: 'paired' },
  paired: { pair: 'paired', revoke: 'revoked' },
  revoked: { pair: 'paired', revoke: 'revoked' },
};

export function deviceStep(from: DeviceState, event: DeviceEvent): Step<DeviceState> {
  return step(deviceTransitions, from, event);
}

/** The machine state of a device entity (or its absence). */
export function deviceStateOf(device: { readonly revoked: boolean } | undefined): DeviceState {
  return device ? (device.revoked ? 'revoked' : 'paired') : 'absent';
}
