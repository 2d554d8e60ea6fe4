import * as z from 'zod';
import {
  type EntityKind,
  EntityKindSchema,
  type EntityOf,
  entitySchemas,
} from '../entities/entity-kind.ts';
import { EntityId, Timestamp } from '../ids/entity-id.ts';
import { Ulid } from '../ids/ulid.ts';

/**
 * One change to one entity, before the stream gives it a place: what a decider emits.
 * An upsert carries the whole entity; a tombstone removes it.
 */
export type EntityChange = {
  [K in EntityKind]:
    | {
        readonly entity: K;
        readonly id: string;
        readonly op: 'upsert';
        readonly data: EntityOf<K>;
        readonly version: number;
      }
    | {
        readonly entity: K;
        readonly id: string;
        readonly op: 'tombstone';
        readonly version: number;
      };
}[EntityKind];

const placed = {
  seq: z.number().int().min(1),
  id: EntityId,
  version: z.number().int().min(1),
  /** Server time of the commit. Display and audit only. */
  at: Timestamp,
  /** The operation that caused it; absent for changes made by the cloud's own configuration. */
  opId: Ulid.optional(),
};

function upsertOf<K extends EntityKind>(kind: K) {
  return z.object({
    ...placed,
    entity: z.literal(kind),
    op: z.literal('upsert'),
    data: entitySchemas[kind],
  });
}

const Upsert = z.discriminatedUnion('entity', [
  upsertOf('venue'),
  upsertOf('settings'),
  upsertOf('table'),
  upsertOf('menuCategory'),
  upsertOf('menuItem'),
  upsertOf('menuModifier'),
  upsertOf('order'),
  upsertOf('ticket'),
  upsertOf('serviceRequest'),
  upsertOf('booking'),
  upsertOf('teamSection'),
  upsertOf('teamMember'),
  upsertOf('device'),
  upsertOf('payment'),
  upsertOf('refund'),
  upsertOf('drawer'),
]);

const Tombstone = z.object({ ...placed, entity: EntityKindSchema, op: z.literal('tombstone') });

/** An entry of a venue's change feed: a change with its place (`seq`) in the stream. */
export const FeedEntry = z
  .union([Upsert, Tombstone])
  .refine((entry) => entry.op === 'tombstone' || entry.data.id === entry.id, {
    message: 'data.id must equal id',
  });
export type FeedEntry = z.infer<typeof FeedEntry>;

/** A page of the feed after a cursor. */
export const FeedPage = z.object({
  entries: z.array(FeedEntry),
  /** The cursor to ask with next: it covers every entry in this page. */
  cursor: z.string(),
  /** True when more entries were already waiting past this page. */
  hasMore: z.boolean(),
});
export type FeedPage = z.infer<typeof FeedPage>;
