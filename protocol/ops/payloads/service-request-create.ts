import * as z from 'zod';
import { ServiceRequestKind } from '../../entities/service-request.ts';
import { EntityId } from '../../ids/entity-id.ts';

export const ServiceRequestCreate = z.object({
  requestId: EntityId,
  tableId: EntityId,
  kind: ServiceRequestKind,
  note: z.string().max(200).optional(),
});
export type ServiceRequestCreate = z.infer<typeof ServiceRequestCreate>;
