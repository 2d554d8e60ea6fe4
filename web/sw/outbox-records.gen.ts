// Generated from web/sw/outbox-records.ts by protocol/check/emit-shapes.ts: do not edit.
// `npm run build:web` rewrites it; a test fails while it is stale.
import type { SchemaBundle } from '#protocol/check/json-schema-check.ts';

export const OUTBOX_RECORD_SHAPES: SchemaBundle = {
  OutboxEntry: {
    type: 'object',
    properties: {
      seq: {
        type: 'integer',
        minimum: 1,
        maximum: 9007199254740991,
      },
      opId: {
        $ref: 'Ulid',
      },
      op: {
        $ref: 'Operation',
      },
      lane: {
        type: 'string',
        enum: ['priority', 'default'],
      },
      status: {
        type: 'string',
        enum: ['pending', 'sending', 'delivered_local', 'synced', 'failed'],
      },
      tries: {
        type: 'integer',
        minimum: 0,
        maximum: 9007199254740991,
      },
      nextAttemptAt: {
        type: 'number',
      },
      lastError: {
        anyOf: [
          {
            type: 'object',
            properties: {
              code: {
                type: 'string',
              },
              message: {
                type: 'string',
              },
            },
            required: ['code', 'message'],
          },
          {
            type: 'null',
          },
        ],
      },
      result: {
        anyOf: [
          {
            $ref: 'OpResult',
          },
          {
            type: 'null',
          },
        ],
      },
      createdAt: {
        type: 'number',
      },
      settledAt: {
        type: ['number', 'null'],
      },
    },
    required: [
      'seq',
      'opId',
      'op',
      'lane',
      'status',
      'tries',
      'nextAttemptAt',
      'lastError',
      'result',
      'createdAt',
      'settledAt',
    ],
  },
  LeaseRecord: {
    type: 'object',
    properties: {
      key: {
        type: 'string',
        const: 'lease',
      },
      holder: {
        type: 'string',
        minLength: 1,
      },
      expiresAt: {
        type: 'number',
      },
    },
    required: ['key', 'holder', 'expiresAt'],
  },
  DeviceRecord: {
    type: 'object',
    properties: {
      key: {
        type: 'string',
        const: 'device',
      },
      deviceId: {
        $ref: 'DeviceId',
      },
      principal: {
        anyOf: [
          {
            $ref: 'Principal',
          },
          {
            type: 'null',
          },
        ],
      },
    },
    required: ['key', 'deviceId', 'principal'],
  },
};
