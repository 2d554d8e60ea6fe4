import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderUnicodeCompact } from 'uqr';
import { DeviceRole } from '#protocol';
import { importCloudKeys, loadKeysFile } from './auth/keys.ts';
import { parseCloudConfig } from './config.ts';
import { setupPairingCode } from './devices/setup-code.ts';
import type { CloudStore } from './store/cloud-store.ts';
import { PgCloudStore } from './store/pg-store.ts';
import { SqliteCloudStore } from './store/sqlite-store.ts';

// `npm run pair -- --venue <venueId> [--role floor|kitchen] [--cloud-url <url>] [--tenant <id>]`:
// prints a one-time setup pairing link and its QR code, signed with the cloud's key, for a
// venue's first device (decision 034). Reads the keys and the store as the cloud does
// (HEARTH_KEYS_FILE or HEARTH_DATA_DIR/keys.json; DATABASE_URL or HEARTH_DATA_DIR/cloud.db).
// The link goes to the terminal only, never to a log.

const EXIT_USAGE = 2;
const USAGE =
  'usage: npm run pair -- --venue <venueId> [--role floor|kitchen] [--cloud-url <url>] [--tenant <tenantId>]';

function fail(message: string, code = EXIT_USAGE): never {
  console.error(`hearth pair: ${message}`);
  process.exit(code);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      venue: { type: 'string' },
      role: { type: 'string', default: 'floor' },
      'cloud-url': { type: 'string' },
      tenant: { type: 'string' },
    },
    strict: true,
  }).values;
}
try {
  args = parse();
} catch (error) {
  fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
}
const venueId = args.venue ?? fail(USAGE);
const role = DeviceRole.safeParse(args.role);
if (!role.success) fail(`--role must be floor or kitchen\n${USAGE}`);

const parsed = parseCloudConfig(process.env);
if (!parsed.ok) fail(parsed.errors.join('; '));
const { dataDir, keysFile, database, port, publicOrigin } = parsed.config;
const keysPath = keysFile ?? join(dataDir, 'keys.json');
if (!existsSync(keysPath))
  fail(`no keys at ${keysPath}: start the cloud once, or set HEARTH_KEYS_FILE`);
const keys = await importCloudKeys(await loadKeysFile(keysPath));

/** The venue's tenant: given, or read from the cloud's store. */
async function tenantOf(id: string): Promise<string> {
  if (args.tenant !== undefined) return args.tenant;
  const store: CloudStore = database
    ? await PgCloudStore.open({
        url: database.url,
        schema: database.schema,
        writeConnections: 1,
        readConnections: 1,
      })
    : SqliteCloudStore.open(join(dataDir, 'cloud.db'));
  try {
    const venue = await store.getVenue(id);
    return venue?.tenantId ?? fail(`no venue ${id} in this cloud's store`);
  } finally {
    await store.close();
  }
}

const origin = args['cloud-url'] ?? publicOrigin ?? `http://localhost:${port}`;
const link = await setupPairingCode(keys.signer, {
  tenantId: await tenantOf(venueId),
  venueId,
  role: role.data,
  origin,
  nowMs: Date.now(),
});
console.log(renderUnicodeCompact(link.pairUrl));
console.log(
  `Open this link on the ${role.data === 'kitchen' ? 'kitchen display' : 'floor tablet'} to pair it with ${venueId}`,
);
console.log(`(single use, until ${link.expiresAt}):\n`);
console.log(link.pairUrl);
