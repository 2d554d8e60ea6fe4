// Generated from web/sw/outbox-records.ts by protocol/check/emit-shapes.ts: do not edit.
// `npm run build:web` rewrites it; a test fails while it is stale.
import type { SchemaBundle } from '#protocol/check/json-schema-check.ts';

export const OUTBOX_RECORD_SHAPES: SchemaBundle = {
  OutboxEntry: {
    type: 'object',
    properties: {
      seq: {
        $ref: 'outbox:schema17',
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
        $ref: 'outbox:schema18',
      },
      tries: {
        $ref: 'outbox:schema19',
      },
      nextAttemptAt: {
        $ref: 'outbox:schema20',
      },
      lastError: {
        $ref: 'outbox:schema21',
      },
      result: {
        $ref: 'outbox:schema22',
      },
      createdAt: {
        type: 'number',
      },
      settledAt: {
        $ref: 'outbox:schema23',
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
              $ref: 'outbox:schema17',
            },
            status: {
              $ref: 'outbox:schema18',
            },
            tries: {
              $ref: 'outbox:schema19',
            },
            nextAttemptAt: {
              $ref: 'outbox:schema20',
            },
            lastError: {
              $ref: 'outbox:schema21',
            },
            result: {
              $ref: 'outbox:schema22',
            },
            settledAt: {
              $ref: 'outbox:schema23',
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
  'outbox:schema17': {
    type: 'integer',
    minimum: 1,
    maximum: 9007199254740991,
  },
  'outbox:schema18': {
    type: 'string',
    enum: ['pending', 'sending', 'delivered_local', 'synced', 'failed'],
  },
  'outbox:schema19': {
    type: 'integer',
    minimum: 0,
    maximum: 9007199254740991,
  },
  'outbox:schema20': {
    type: 'number',
  },
  'outbox:schema21': {
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
  'outbox:schema22': {
    anyOf: [
      {
        $ref: 'OpResult',
      },
      {
        type: 'null',
      },
    ],
  },
  'outbox:schema23': {
    type: ['number', 'null'],
  },
};
