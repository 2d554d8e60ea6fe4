import * as z from 'zod';
import { DeviceId } from '../../ids/device-id.ts';

/** Revokes a paired device: its credential and every session signed in on it stop working. */
export const DeviceRevoke = z.object({ deviceId: DeviceId });
export type DeviceRevoke = z.infer<typeof DeviceRevoke>;
