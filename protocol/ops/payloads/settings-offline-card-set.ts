import * as z from 'zod';
import { OfflineCardPolicyFields } from '../../domain/offline-card-limits.ts';

/** The owner sets the venue's offline card limits (checked against their rules by the decider). */
export const SettingsOfflineCardSet = z.object({ policy: OfflineCardPolicyFields });
export type SettingsOfflineCardSet = z.infer<typeof SettingsOfflineCardSet>;
