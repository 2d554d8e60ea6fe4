import * as z from 'zod';
import { EntityId } from '../../ids/entity-id.ts';

export const ServiceRequestAction = z.enum(['acknowledge', 'complete', 'cancel']);
export type ServiceRequestAction = z.infer<typeof ServiceRequestAction>;

export const ServiceRequestTransition = z.object({
  requestId: EntityId,
  action: ServiceRequestAction,
});
export type ServiceRequestTransition = z.infer<typeof ServiceRequestTransition>;
