import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RelayIdentity } from './relay-identity.ts';

const FILE = 'relay-identity.json';

export class IdentityFileError extends Error {
  readonly code = 'IDENTITY_INVALID';
}

/** The stored identity, or undefined before enrollment. A damaged file is an error, not a reset. */
export function readIdentity(dataDir: string): RelayIdentity | undefined {
  const path = join(dataDir, FILE);
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new IdentityFileError(
      `${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = RelayIdentity.safeParse(json);
  if (!parsed.success) {
    throw new IdentityFileError(
      `${path} is not a relay identity: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  return parsed.data;
}

/** Writes the identity atomically (temp file + rename) with mode 0600: it holds secrets. */
export function writeIdentity(dataDir: string, identity: RelayIdentity): void {
  const path = join(dataDir, FILE);
  const temp = `${path}.tmp`;
  writeFileSync(temp, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}
