// Generated from web/sw/outbox-records.ts by protocol/check/emit-shapes.ts: do not edit.
// `npm run build:web` rewrites it; a test fails while it is stale.
import type { SchemaBundle } from '#protocol/check/json-schema-check.ts';

export const OUTBOX_RECORD_SHAPES: SchemaBundle = {
  OutboxEntry: {
    type: 'object',
    properties: {
      seq: {
        $ref: 'outbox:schema19',
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
        $ref: 'outbox:schema20',
      },
      tries: {
        $ref: 'outbox:schema21',
      },
      nextAttemptAt: {
        $ref: 'outbox:schema22',
      },
      lastError: {
        $ref: 'outbox:schema23',
      },
      result: {
        $ref: 'outbox:schema24',
      },
      createdAt: {
        type: 'number',
      },
      settledAt: {
        $ref: 'outbox:schema25',
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
  AnswersRecord: {
    type: 'object',
    properties: {
      id: {
        type: 'integer',
        minimum: 1,
        maximum: 9007199254740991,
      },
      patches: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            seq: {
              $ref: 'outbox:schema19',
            },
            status: {
              $ref: 'outbox:schema20',
            },
            tries: {
              $ref: 'outbox:schema21',
            },
            nextAttemptAt: {
              $ref: 'outbox:schema22',
            },
            lastError: {
              $ref: 'outbox:schema23',
            },
            result: {
              $ref: 'outbox:schema24',
            },
            settledAt: {
              $ref: 'outbox:schema25',
            },
          },
          required: ['seq', 'status', 'tries', 'nextAttemptAt', 'lastError', 'result', 'settledAt'],
        },
      },
    },
    required: ['id', 'patches'],
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
  'outbox:schema19': {
    type: 'integer',
    minimum: 1,
    maximum: 9007199254740991,
  },
  'outbox:schema20': {
    type: 'string',
    enum: ['pending', 'sending', 'delivered_local', 'synced', 'failed'],
  },
  'outbox:schema21': {
    type: 'integer',
    minimum: 0,
    maximum: 9007199254740991,
  },
  'outbox:schema22': {
    type: 'number',
  },
  'outbox:schema23': {
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
  'outbox:schema24': {
    anyOf: [
      {
        $ref: 'OpResult',
      },
      {
        type: 'null',
      },
    ],
  },
  'outbox:schema25': {
    type: ['number', 'null'],
  },
};
