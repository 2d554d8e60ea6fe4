import postgres from 'postgres';

// The PostgreSQL every test run shares, and a schema of its own per test so runs never collide.

/** Where the tests' server is: `HEARTH_TEST_DATABASE_URL`, else this machine's local server. */
export const TEST_DATABASE_URL =
  process.env.HEARTH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Under CI (`CI` set, as `.ci/run` does, or `HEARTH_REQUIRE_POSTGRES=1`) an unreachable server
 * fails the PostgreSQL tests; elsewhere they are reported as skipped, with the reason.
 */
export function postgresRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI !== 'false';
  return ci || env.HEARTH_REQUIRE_POSTGRES === '1';
}

/** Undefined when the test server answers a query within 3 s; otherwise why not. */
export async function postgresUnavailable(url = TEST_DATABASE_URL): Promise<string | undefined> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    return undefined;
  } catch (error) {
    return `no PostgreSQL at ${redacted(url)} (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

let counter = 0;

/** A schema name no other run or test uses: `hearth_t_<label>_<pid>_<n>_<random>`. */
export function freshSchemaName(label: string): string {
  counter += 1;
  const random = Math.random().toString(36).slice(2, 8);
  const name = `hearth_t_${label}_${process.pid}_${counter}_${random}`;
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 63);
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** The URL with any password masked, for messages. */
function redacted(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
