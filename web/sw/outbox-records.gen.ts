// Generated from web/sw/outbox-records.ts by protocol/check/emit-shapes.ts: do not edit.
// `npm run build:web` rewrites it; a test fails while it is stale.
import type { SchemaBundle } from '#protocol/check/json-schema-check.ts';

export const OUTBOX_RECORD_SHAPES: SchemaBundle = {
  OutboxEntry: {
    type: 'object',
    properties: {
      seq: {
        $ref: 'outbox:schema18',
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
        $ref: 'outbox:schema19',
      },
      tries: {
        $ref: 'outbox:schema20',
      },
      nextAttemptAt: {
        $ref: 'outbox:schema21',
      },
      lastError: {
        $ref: 'outbox:schema22',
      },
      result: {
        $ref: 'outbox:schema23',
      },
      createdAt: {
        type: 'number',
      },
      settledAt: {
        $ref: 'outbox:schema24',
      },
    },
    optional: [],
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
              $ref: 'outbox:schema18',
            },
            status: {
              $ref: 'outbox:schema19',
            },
            tries: {
              $ref: 'outbox:schema20',
            },
            nextAttemptAt: {
              $ref: 'outbox:schema21',
            },
            lastError: {
              $ref: 'outbox:schema22',
            },
            result: {
              $ref: 'outbox:schema23',
            },
            settledAt: {
              $ref: 'outbox:schema24',
            },
          },
          optional: [],
        },
      },
    },
    optional: [],
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
    optional: [],
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
    optional: [],
  },
  'outbox:schema18': {
    type: 'integer',
    minimum: 1,
    maximum: 9007199254740991,
  },
  'outbox:schema19': {
    type: 'string',
    enum: ['pending', 'sending', 'delivered_local', 'synced', 'failed'],
  },
  'outbox:schema20': {
    type: 'integer',
    minimum: 0,
    maximum: 9007199254740991,
  },
  'outbox:schema21': {
    type: 'number',
  },
  'outbox:schema22': {
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
        optional: [],
      },
      {
        type: 'null',
      },
    ],
  },
  'outbox:schema23': {
    anyOf: [
      {
        $ref: 'OpResult',
      },
      {
        type: 'null',
      },
    ],
  },
  'outbox:schema24': {
    type: ['number', 'null'],
  },
};
