import { makeOperation, type Operation, type OperationType, type Principal } from '#protocol';
import { DEMO } from '../seed/demo-seed.ts';

/** A demo-venue op made by `actorId` on `deviceId`, as a device would make it. */
export function demoOp<T extends OperationType>(
  type: T,
  payload: unknown,
  options: { actorId?: string; deviceId?: string; opId?: string; dependsOn?: string[] } = {},
): Promise<Operation> {
  return makeOperation({
    type,
    payload,
    deviceId: options.deviceId ?? 'tablet-1',
    tenantId: DEMO.tenantId,
    venueId: DEMO.venueId,
    actorId: options.actorId ?? 'demo-manager',
    occurredAt: '2026-11-23T19:29:00.000Z',
    ...(options.opId === undefined ? {} : { opId: options.opId }),
    ...(options.dependsOn === undefined ? {} : { dependsOn: options.dependsOn }),
  });
}

/** The actor id a principal signs ops with. */
export function actorIdOf(principal: Principal): string {
  return principal.kind === 'guest' ? principal.sessionId : principal.actorId;
}

export function postOp(
  op: Operation,
  headers: Record<string, string>,
  key: string | null = op.opId,
): RequestInit {
  return {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(key === null ? {} : { 'Idempotency-Key': key }),
      ...headers,
    },
    body: JSON.stringify(op),
  };
}

export function postBatch(
  deviceId: string,
  ops: readonly Operation[],
  headers: Record<string, string>,
): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ deviceId, ops }),
  };
}
