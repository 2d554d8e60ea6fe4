import { emitShapes, renderShapesModule } from '#protocol/check/emit-shapes.ts';
import type { SchemaBundle } from '#protocol/check/json-schema-check.ts';
import { emitWireShapes, WIRE_REFINEMENTS } from '#protocol/check/wire-shapes.ts';
import { OUTBOX_RECORD_EXTERNAL, OUTBOX_RECORD_SOURCES } from './outbox-records.ts';

/*
 * The generated schema modules the service worker reads with the zod-free checker, and how to
 * make each from its zod source. `npm run build:web` bundles this file, runs it and rewrites
 * any module that changed; tests/protocol/wire-checks.test.ts and
 * tests/browser/outbox-records.test.ts fail while one is stale.
 */

export interface GeneratedShapes {
  /** Repository path of the generated module. */
  readonly file: string;
  /** The exported constant. */
  readonly name: string;
  readonly bundle: () => SchemaBundle;
  /** The module's text (before the formatter). */
  readonly text: () => string;
}

function generated(
  file: string,
  name: string,
  source: string,
  checkerImport: string,
  bundle: () => SchemaBundle,
): GeneratedShapes {
  return {
    file,
    name,
    bundle,
    text: () => renderShapesModule(name, bundle(), source, checkerImport),
  };
}

export const outboxRecordShapes = (): SchemaBundle =>
  emitShapes(OUTBOX_RECORD_SOURCES, {
    external: OUTBOX_RECORD_EXTERNAL,
    refinements: WIRE_REFINEMENTS,
    prefix: 'outbox:',
  });

export const GENERATED: readonly GeneratedShapes[] = [
  generated(
    'protocol/check/wire-shapes.gen.ts',
    'WIRE_SHAPES',
    'protocol/check/wire-shapes.ts',
    './json-schema-check.ts',
    emitWireShapes,
  ),
  generated(
    'web/sw/outbox-records.gen.ts',
    'OUTBOX_RECORD_SHAPES',
    'web/sw/outbox-records.ts',
    '#protocol/check/json-schema-check.ts',
    outboxRecordShapes,
  ),
];
