import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateCloudKeys, serializeKeys } from '../../../cloud/auth/keys.ts';
import {
  dropSchema,
  freshSchemaName,
  postgresRequired,
  postgresUnavailable,
  TEST_DATABASE_URL,
} from '../../support/postgres.ts';

/** What several cloud instances over one PostgreSQL schema share. */
export interface PgCloudSetup {
  readonly url: string;
  readonly schema: string;
  readonly keysFile: string;
  /** The environment every instance starts with (pass to `startCloud({ env })`). */
  readonly env: Record<string, string>;
  /** Drops the schema. */
  drop(): Promise<void>;
}

/**
 * Checks once whether the test server is there. Undefined when it is; the reason when it is
 * not and none is required (the caller registers its tests as skipped and prints the reason);
 * throws under CI, where the tests must fail instead.
 *
 * @example
 * const skipReason = await postgresSkipReason();
 * const suite = skipReason === undefined ? describe : describe.skip;
 */
export async function postgresSkipReason(): Promise<string | undefined> {
  const unavailable = await postgresUnavailable();
  if (unavailable === undefined) return undefined;
  if (postgresRequired()) throw new Error(`PostgreSQL is required here: ${unavailable}`);
  console.warn(`PostgreSQL end-to-end tests skipped: ${unavailable}`);
  return unavailable;
}

/**
 * A fresh schema and a shared keys file in `dir`, and the environment that points a cloud
 * instance at them (the demo venue seeded by whichever instance starts first).
 */
export async function preparePgCloud(dir: string, label: string): Promise<PgCloudSetup> {
  const schema = freshSchemaName(label);
  const keysFile = join(dir, 'cloud-keys.json');
  await writeFile(keysFile, serializeKeys(await generateCloudKeys()), { mode: 0o600 });
  return {
    url: TEST_DATABASE_URL,
    schema,
    keysFile,
    env: {
      DATABASE_URL: TEST_DATABASE_URL,
      HEARTH_DATABASE_SCHEMA: schema,
      HEARTH_KEYS_FILE: keysFile,
      HEARTH_SEED_DEMO: '1',
    },
    drop: () => dropSchema(schema),
  };
}
