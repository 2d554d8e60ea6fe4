// Generated from protocol/check/wire-shapes.ts by protocol/check/emit-shapes.ts: do not edit.
// `npm run build:web` rewrites it; a test fails while it is stale.
import type { SchemaBundle } from './json-schema-check.ts';

export const WIRE_SHAPES: SchemaBundle = {
  Operation: {
    type: 'object',
    properties: {
      opId: {
        $ref: 'Ulid',
      },
      deviceId: {
        $ref: 'DeviceId',
      },
      tenantId: {
        $ref: 'schema0',
      },
      venueId: {
        $ref: 'schema0',
      },
      actorId: {
        $ref: 'schema1',
      },
      payloadHash: {
        $ref: 'schema2',
      },
      dependsOn: {
        $ref: 'schema3',
      },
      occurredAt: {
        $ref: 'schema4',
      },
    },
    oneOf: [
      {
        properties: {
          type: {
            type: 'string',
            const: 'order.create',
          },
          payload: {
            type: 'object',
            properties: {
              orderId: {
                $ref: 'schema0',
              },
              tableId: {
                anyOf: [
                  {
                    $ref: 'schema0',
                  },
                  {
                    type: 'null',
                  },
                ],
              },
              guestCount: {
                default: 0,
                type: 'integer',
                minimum: 0,
                maximum: 100,
              },
              lines: {
                default: [],
                maxItems: 100,
                type: 'array',
                items: {
                  $ref: 'schema5',
                },
              },
              send: {
                $ref: 'schema6',
              },
            },
            optional: ['guestCount', 'lines', 'send'],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'order.addLines',
          },
          payload: {
            type: 'object',
            properties: {
              orderId: {
                $ref: 'schema0',
              },
              lines: {
                minItems: 1,
                maxItems: 100,
                type: 'array',
                items: {
                  $ref: 'schema5',
                },
              },
              send: {
                $ref: 'schema6',
              },
            },
            optional: ['send'],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'order.removeLine',
          },
          payload: {
            type: 'object',
            properties: {
              orderId: {
                $ref: 'schema0',
              },
              lineId: {
                $ref: 'schema0',
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'order.sendToKitchen',
          },
          payload: {
            type: 'object',
            properties: {
              orderId: {
                $ref: 'schema0',
              },
              course: {
                $ref: 'schema7',
              },
              hold: {
                $ref: 'schema8',
              },
            },
            optional: ['course', 'hold'],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'order.close',
          },
          payload: {
            type: 'object',
            properties: {
              orderId: {
                $ref: 'schema0',
              },
              payment: {
                oneOf: [
                  {
                    type: 'object',
                    properties: {
                      method: {
                        type: 'string',
                        const: 'cash',
                      },
                      tendered: {
                        $ref: 'schema9',
                      },
                    },
                    optional: [],
                  },
                  {
                    type: 'object',
                    properties: {
                      method: {
                        type: 'string',
                        const: 'card',
                      },
                      amount: {
                        $ref: 'schema9',
                      },
                      reference: {
                        type: 'string',
                        minLength: 1,
                        maxLength: 100,
                      },
                    },
                    optional: [],
                  },
                ],
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'order.void',
          },
          payload: {
            type: 'object',
            properties: {
              orderId: {
                $ref: 'schema0',
              },
              reason: {
                type: 'string',
                minLength: 1,
                maxLength: 200,
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'order.voidLine',
          },
          payload: {
            type: 'object',
            properties: {
              orderId: {
                $ref: 'schema0',
              },
              lineId: {
                $ref: 'schema0',
              },
              reason: {
                type: 'string',
                minLength: 1,
                maxLength: 200,
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'order.fireCourse',
          },
          payload: {
            type: 'object',
            properties: {
              orderId: {
                $ref: 'schema0',
              },
              course: {
                type: 'integer',
                minimum: 1,
                maximum: 9,
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'ticket.transition',
          },
          payload: {
            type: 'object',
            properties: {
              ticketId: {
                $ref: 'schema0',
              },
              action: {
                type: 'string',
                enum: ['start', 'ready', 'bump', 'recall'],
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'ticket.assign',
          },
          payload: {
            type: 'object',
            properties: {
              ticketId: {
                $ref: 'schema0',
              },
              station: {
                $ref: 'schema10',
              },
              assigneeId: {
                $ref: 'schema11',
              },
            },
            anyOf: [
              {
                required: ['station'],
              },
              {
                required: ['assigneeId'],
              },
            ],
            optional: ['station', 'assigneeId'],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'ticket.markLine',
          },
          payload: {
            type: 'object',
            properties: {
              ticketId: {
                $ref: 'schema0',
              },
              lineId: {
                $ref: 'schema0',
              },
              ready: {
                type: 'boolean',
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'ticket.recall',
          },
          payload: {
            type: 'object',
            properties: {
              ticketId: {
                $ref: 'schema0',
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'ticket.acknowledge',
          },
          payload: {
            type: 'object',
            properties: {
              ticketId: {
                $ref: 'schema0',
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'serviceRequest.create',
          },
          payload: {
            type: 'object',
            properties: {
              requestId: {
                $ref: 'schema0',
              },
              tableId: {
                $ref: 'schema0',
              },
              kind: {
                type: 'string',
                enum: ['call_waiter', 'bill', 'water', 'other'],
              },
              note: {
                type: 'string',
                maxLength: 200,
              },
            },
            optional: ['note'],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'serviceRequest.transition',
          },
          payload: {
            type: 'object',
            properties: {
              requestId: {
                $ref: 'schema0',
              },
              action: {
                type: 'string',
                enum: ['acknowledge', 'complete', 'cancel'],
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'booking.create',
          },
          payload: {
            type: 'object',
            properties: {
              bookingId: {
                $ref: 'schema0',
              },
              guestName: {
                type: 'string',
                minLength: 1,
                maxLength: 120,
              },
              partySize: {
                type: 'integer',
                minimum: 1,
                maximum: 50,
              },
              startsAt: {
                $ref: 'schema4',
              },
              phone: {
                type: 'string',
                maxLength: 32,
              },
              note: {
                type: 'string',
                maxLength: 500,
              },
            },
            optional: ['phone', 'note'],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'booking.transition',
          },
          payload: {
            type: 'object',
            properties: {
              bookingId: {
                $ref: 'schema0',
              },
              action: {
                type: 'string',
                enum: ['confirm', 'seat', 'complete', 'cancel', 'no_show'],
              },
              tableId: {
                $ref: 'schema0',
              },
            },
            optional: ['tableId'],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'team.section.create',
          },
          payload: {
            type: 'object',
            properties: {
              sectionId: {
                $ref: 'schema0',
              },
              name: {
                type: 'string',
                minLength: 1,
                maxLength: 60,
              },
              tableIds: {
                default: [],
                maxItems: 200,
                type: 'array',
                items: {
                  $ref: 'schema0',
                },
              },
            },
            optional: ['tableIds'],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'team.member.upsert',
          },
          payload: {
            type: 'object',
            properties: {
              memberId: {
                $ref: 'schema0',
              },
              name: {
                type: 'string',
                minLength: 1,
                maxLength: 120,
              },
              role: {
                $ref: 'schema12',
              },
              sectionId: {
                default: null,
                anyOf: [
                  {
                    $ref: 'schema0',
                  },
                  {
                    type: 'null',
                  },
                ],
              },
              active: {
                default: true,
                type: 'boolean',
              },
            },
            optional: ['sectionId', 'active'],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'menu.item.setAvailability',
          },
          payload: {
            type: 'object',
            properties: {
              itemId: {
                $ref: 'schema0',
              },
              available: {
                type: 'boolean',
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'device.pair',
          },
          payload: {
            type: 'object',
            properties: {
              deviceId: {
                $ref: 'DeviceId',
              },
              name: {
                type: 'string',
                minLength: 1,
                maxLength: 60,
              },
              role: {
                type: 'string',
                enum: ['floor', 'kitchen'],
              },
              pairingId: {
                $ref: 'Ulid',
              },
              credentialDigest: {
                type: 'string',
                pattern: '^[A-Za-z0-9_-]{43}$',
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'device.revoke',
          },
          payload: {
            type: 'object',
            properties: {
              deviceId: {
                $ref: 'DeviceId',
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'payment.cash',
          },
          payload: {
            type: 'object',
            properties: {
              paymentId: {
                $ref: 'Ulid',
              },
              orderId: {
                $ref: 'schema0',
              },
              amount: {
                minimum: 1,
                $ref: 'schema9',
              },
              tip: {
                $ref: 'schema9',
              },
              tendered: {
                $ref: 'schema9',
              },
              drawerId: {
                $ref: 'schema0',
              },
            },
            optional: ['drawerId'],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'payment.resolveTask',
          },
          payload: {
            type: 'object',
            properties: {
              paymentId: {
                $ref: 'Ulid',
              },
              note: {
                type: 'string',
                minLength: 1,
                maxLength: 500,
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'refund.request',
          },
          payload: {
            type: 'object',
            properties: {
              refundId: {
                $ref: 'Ulid',
              },
              paymentId: {
                $ref: 'Ulid',
              },
              amount: {
                minimum: 1,
                $ref: 'schema9',
              },
              reason: {
                type: 'string',
                minLength: 1,
                maxLength: 200,
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'drawer.open',
          },
          payload: {
            type: 'object',
            properties: {
              drawerId: {
                $ref: 'schema0',
              },
              float: {
                $ref: 'schema9',
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'drawer.payout',
          },
          payload: {
            type: 'object',
            properties: {
              drawerId: {
                $ref: 'schema0',
              },
              payoutId: {
                $ref: 'schema0',
              },
              amount: {
                minimum: 1,
                $ref: 'schema9',
              },
              reason: {
                type: 'string',
                minLength: 1,
                maxLength: 200,
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'drawer.close',
          },
          payload: {
            type: 'object',
            properties: {
              drawerId: {
                $ref: 'schema0',
              },
              counted: {
                $ref: 'schema9',
              },
              reason: {
                type: 'string',
                minLength: 1,
                maxLength: 200,
              },
            },
            optional: ['reason'],
          },
        },
        optional: [],
      },
      {
        properties: {
          type: {
            type: 'string',
            const: 'settings.offlineCard.set',
          },
          payload: {
            type: 'object',
            properties: {
              policy: {
                type: 'object',
                properties: {
                  enabled: {
                    type: 'boolean',
                  },
                  perTransaction: {
                    $ref: 'schema9',
                  },
                  withManagerApproval: {
                    $ref: 'schema9',
                  },
                  perDevice: {
                    $ref: 'schema9',
                  },
                  perVenue: {
                    $ref: 'schema9',
                  },
                  alertAfterMs: {
                    maxItems: 5,
                    type: 'array',
                    items: {
                      $ref: 'schema13',
                    },
                  },
                  noNewAfterMs: {
                    $ref: 'schema13',
                  },
                  absoluteMs: {
                    $ref: 'schema13',
                  },
                },
                optional: [],
              },
            },
            optional: [],
          },
        },
        optional: [],
      },
    ],
    optional: ['dependsOn'],
  },
  OpResult: {
    oneOf: [
      {
        $ref: 'schema14',
      },
      {
        $ref: 'schema16',
      },
      {
        $ref: 'schema17',
      },
      {
        type: 'object',
        properties: {
          opId: {
            $ref: 'Ulid',
          },
          status: {
            type: 'string',
            const: 'duplicate',
          },
          first: {
            oneOf: [
              {
                $ref: 'schema14',
              },
              {
                $ref: 'schema16',
              },
              {
                $ref: 'schema17',
              },
            ],
          },
        },
        optional: [],
      },
      {
        type: 'object',
        properties: {
          opId: {
            $ref: 'Ulid',
          },
          status: {
            type: 'string',
            const: 'retryable',
          },
          code: {
            type: 'string',
            enum: [
              'IN_FLIGHT',
              'RATE_LIMITED',
              'UNAVAILABLE',
              'DEPENDENCY_PENDING',
              'NOT_PROCESSED',
            ],
          },
          message: {
            type: 'string',
          },
          retryAfterMs: {
            type: 'integer',
            minimum: 0,
            maximum: 9007199254740991,
          },
        },
        optional: ['retryAfterMs'],
      },
    ],
  },
  BatchResponse: {
    type: 'object',
    properties: {
      results: {
        type: 'array',
        items: {
          $ref: 'OpResult',
        },
      },
    },
    optional: [],
  },
  Problem: {
    type: 'object',
    properties: {
      type: {
        type: 'string',
      },
      title: {
        type: 'string',
      },
      status: {
        type: 'integer',
        minimum: 400,
        maximum: 599,
      },
      kind: {
        type: 'string',
        enum: [
          'fix_request',
          'retry_later',
          'back_off',
          'sign_in',
          'stop',
          're_bootstrap',
          'needs_setup',
          'needs_internet',
        ],
      },
      code: {
        type: 'string',
        pattern: '^[A-Z][A-Z0-9_]*$',
      },
      detail: {
        type: 'string',
      },
      instance: {
        type: 'string',
      },
      retryAfter: {
        type: 'integer',
        minimum: 0,
        maximum: 9007199254740991,
      },
      issues: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            path: {
              type: 'string',
            },
            message: {
              type: 'string',
            },
          },
          optional: [],
        },
      },
    },
    additionalProperties: {},
    optional: ['detail', 'instance', 'retryAfter', 'issues'],
  },
  Principal: {
    oneOf: [
      {
        type: 'object',
        properties: {
          kind: {
            type: 'string',
            const: 'staff',
          },
          tenantId: {
            $ref: 'schema0',
          },
          venueId: {
            $ref: 'schema0',
          },
          actorId: {
            type: 'string',
            minLength: 1,
            maxLength: 80,
          },
          role: {
            $ref: 'schema12',
          },
        },
        optional: [],
      },
      {
        type: 'object',
        properties: {
          kind: {
            type: 'string',
            const: 'guest',
          },
          tenantId: {
            $ref: 'schema0',
          },
          venueId: {
            $ref: 'schema0',
          },
          sessionId: {
            type: 'string',
            minLength: 1,
            maxLength: 80,
          },
          tableId: {
            $ref: 'schema0',
          },
        },
        optional: [],
      },
    ],
  },
  DeviceId: {
    type: 'string',
    pattern: '^[A-Za-z0-9._:-]{1,64}$',
  },
  Ulid: {
    type: 'string',
    pattern: '^[0-7][0-9A-HJKMNP-TV-Z]{25}$',
  },
  schema0: {
    type: 'string',
    minLength: 1,
    maxLength: 80,
    pattern: '^[A-Za-z0-9][A-Za-z0-9._~:-]*$',
  },
  schema1: {
    type: 'string',
    minLength: 1,
    maxLength: 80,
  },
  schema2: {
    type: 'string',
    pattern: '^[0-9a-f]{64}$',
  },
  schema3: {
    default: [],
    maxItems: 32,
    type: 'array',
    items: {
      $ref: 'Ulid',
    },
  },
  schema4: {
    type: 'string',
    format: 'date-time',
    pattern:
      '^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))T(?:(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z|([+-](?:[01]\\d|2[0-3]):[0-5]\\d)))$',
  },
  schema5: {
    type: 'object',
    properties: {
      lineId: {
        $ref: 'schema0',
      },
      itemId: {
        $ref: 'schema0',
      },
      quantity: {
        type: 'integer',
        minimum: 1,
        maximum: 99,
      },
      modifierIds: {
        default: [],
        maxItems: 20,
        type: 'array',
        items: {
          $ref: 'schema0',
        },
      },
      note: {
        type: 'string',
        maxLength: 200,
      },
      course: {
        type: 'integer',
        minimum: 1,
        maximum: 9,
      },
      seat: {
        type: 'integer',
        minimum: 1,
        maximum: 50,
      },
    },
    optional: ['modifierIds', 'note', 'course', 'seat'],
  },
  schema6: {
    type: 'object',
    properties: {
      course: {
        $ref: 'schema7',
      },
      hold: {
        $ref: 'schema8',
      },
    },
    optional: ['course', 'hold'],
  },
  schema7: {
    type: 'integer',
    minimum: 1,
    maximum: 9,
  },
  schema8: {
    type: 'boolean',
  },
  schema9: {
    type: 'integer',
    minimum: 0,
    maximum: 1000000000,
  },
  schema10: {
    type: 'string',
    minLength: 1,
    maxLength: 32,
  },
  schema11: {
    anyOf: [
      {
        $ref: 'schema0',
      },
      {
        type: 'null',
      },
    ],
  },
  schema12: {
    type: 'string',
    enum: ['server', 'kitchen', 'manager', 'owner'],
  },
  schema13: {
    type: 'integer',
    minimum: 1,
    maximum: 2592000000,
  },
  schema14: {
    type: 'object',
    properties: {
      opId: {
        $ref: 'Ulid',
      },
      status: {
        type: 'string',
        const: 'applied',
      },
      seq: {
        type: 'integer',
        minimum: 0,
        maximum: 9007199254740991,
      },
      changed: {
        type: 'array',
        items: {
          $ref: 'schema15',
        },
      },
      at: {
        $ref: 'schema4',
      },
    },
    optional: [],
  },
  schema15: {
    type: 'object',
    properties: {
      entity: {
        type: 'string',
        enum: [
          'venue',
          'settings',
          'table',
          'menuCategory',
          'menuItem',
          'menuModifier',
          'order',
          'ticket',
          'serviceRequest',
          'booking',
          'teamSection',
          'teamMember',
          'device',
          'payment',
          'refund',
          'drawer',
        ],
      },
      id: {
        type: 'string',
      },
      version: {
        type: 'integer',
        minimum: 1,
        maximum: 9007199254740991,
      },
    },
    optional: [],
  },
  schema16: {
    type: 'object',
    properties: {
      opId: {
        $ref: 'Ulid',
      },
      status: {
        type: 'string',
        const: 'rejected',
      },
      code: {
        type: 'string',
        enum: [
          'VALIDATION',
          'FORBIDDEN',
          'WRONG_VENUE',
          'NOT_FOUND',
          'ALREADY_EXISTS',
          'INVALID_STATE_TRANSITION',
          'DEPENDENCY_REJECTED',
          'DEPENDENCY_UNKNOWN',
          'UNKNOWN_ITEM',
          'ITEM_UNAVAILABLE',
          'MODIFIER_NOT_ALLOWED',
          'MODIFIER_GROUP_RULE',
          'LINE_ALREADY_SENT',
          'NOTHING_TO_SEND',
          'NOTHING_TO_FIRE',
          'LINE_NOT_SENT',
          'RECALL_WINDOW_PASSED',
          'EMPTY_ORDER',
          'PAYMENT_INSUFFICIENT',
          'PAYMENT_MISMATCH',
          'AMOUNT_TOO_LARGE',
          'UNKNOWN_STATION',
          'IDEMPOTENCY_KEY_REUSED',
          'SETTINGS_MISSING',
          'PAIRING_USED',
          'OVERPAYMENT',
          'OFFLINE_CARD_DISABLED',
          'CURRENCY_MISMATCH',
          'OFFLINE_CARD_WINDOW_CLOSED',
          'OFFLINE_CARD_OVER_MANAGER_LIMIT',
          'OFFLINE_CARD_OVER_TRANSACTION_LIMIT',
          'OFFLINE_CARD_DEVICE_TOTAL',
          'OFFLINE_CARD_VENUE_TOTAL',
          'DRAWER_ALREADY_OPEN',
          'DRAWER_NOT_OPEN',
          'DRAWER_REASON_REQUIRED',
          'REFUND_NOT_ALLOWED',
          'ORDER_HAS_PAYMENTS',
        ],
      },
      message: {
        type: 'string',
      },
      current: {},
    },
    optional: ['current'],
  },
  schema17: {
    type: 'object',
    properties: {
      opId: {
        $ref: 'Ulid',
      },
      status: {
        type: 'string',
        const: 'accepted_local',
      },
      seq: {
        type: 'integer',
        minimum: 0,
        maximum: 9007199254740991,
      },
      changed: {
        type: 'array',
        items: {
          $ref: 'schema15',
        },
      },
      at: {
        $ref: 'schema4',
      },
    },
    optional: [],
  },
};
