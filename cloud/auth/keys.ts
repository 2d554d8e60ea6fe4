import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  createTokenSigner,
  decodeBase64Url,
  EcPrivateJwk,
  encodeBase64Url,
  generateTokenKeyPair,
  importTokenSigningKey,
  importTokenVerifyKey,
  publicJwkOf,
  type TokenSigner,
} from '#protocol';
import { importPinKey } from './pin-digest.ts';

/** The kid of the cloud's token signing key. A rotation would add `cloud-2` beside it. */
export const CLOUD_SIGNING_KID = 'cloud-1';

/** The cloud's secrets, as kept in `keys.json` in the data directory. */
export interface CloudKeys {
  /** HMAC key of feed cursors (32 bytes). */
  readonly cursorSecret: Uint8Array;
  /** HMAC key of staff PIN digests (32 bytes); changing it invalidates every stored PIN. */
  readonly pinKeyRaw: Uint8Array;
  /** The ES256 private key that signs bearer tokens. */
  readonly signingJwk: EcPrivateJwk;
  readonly signingKid: typeof CLOUD_SIGNING_KID;
}

/** The keys as usable WebCrypto objects. */
export interface ImportedCloudKeys {
  readonly signer: TokenSigner;
  /** Verifies tokens with kid `cloud-1`. */
  readonly verifyKey: CryptoKey;
  readonly pinKey: CryptoKey;
  readonly cursorSecret: Uint8Array;
}

/** A keys file that cannot be used; the operator must fix or remove it. */
export class CloudKeysError extends Error {
  readonly code = 'KEYS_INVALID';
}

const Secret32 = z.string().transform((text, ctx) => {
  const bytes = decodeBase64Url(text);
  if (bytes?.byteLength === 32) return bytes;
  ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, base64url' });
  return z.NEVER;
});

const KeysFile = z.object({
  v: z.literal(1),
  cursorSecret: Secret32,
  pinKeyRaw: Secret32,
  signingJwk: EcPrivateJwk,
  signingKid: z.literal(CLOUD_SIGNING_KID),
});

const bytes32 = (): Uint8Array => crypto.getRandomValues(new Uint8Array(32));

/** Fresh random keys: two 32-byte secrets and an ES256 signing key. */
export async function generateCloudKeys(): Promise<CloudKeys> {
  const pair = await generateTokenKeyPair();
  const signingJwk = EcPrivateJwk.parse(await crypto.subtle.exportKey('jwk', pair.privateKey));
  return {
    cursorSecret: bytes32(),
    pinKeyRaw: bytes32(),
    signingJwk,
    signingKid: CLOUD_SIGNING_KID,
  };
}

/** The JSON text of `keys.json`. */
export function serializeKeys(keys: CloudKeys): string {
  const file: z.input<typeof KeysFile> = {
    v: 1,
    cursorSecret: encodeBase64Url(keys.cursorSecret),
    pinKeyRaw: encodeBase64Url(keys.pinKeyRaw),
    signingJwk: keys.signingJwk,
    signingKid: keys.signingKid,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Parses `keys.json` text; throws `CloudKeysError` naming what is wrong (never the secrets). */
export function parseKeys(text: string): CloudKeys {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) throw new CloudKeysError('keys file is not JSON');
    throw error;
  }
  const parsed = KeysFile.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new CloudKeysError(`keys file is invalid at: ${fields}`);
  }
  const { cursorSecret, pinKeyRaw, signingJwk, signingKid } = parsed.data;
  return { cursorSecret, pinKeyRaw, signingJwk, signingKid };
}

/**
 * Reads `<dataDir>/keys.json`, or creates it (mode 0600) with fresh keys on first start.
 * Only `main.ts` calls this: it is the one place here that touches the disk.
 */
export async function loadOrCreateKeys(dataDir: string): Promise<CloudKeys> {
  const path = join(dataDir, 'keys.json');
  const existing = await readIfExists(path);
  if (existing !== undefined) return parseKeys(existing);
  const keys = await generateCloudKeys();
  await mkdir(dataDir, { recursive: true });
  try {
    // `wx`: if another process created the file meanwhile, use theirs rather than overwrite it.
    await writeFile(path, serializeKeys(keys), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return parseKeys(await readFile(path, 'utf8'));
    throw error;
  }
  return keys;
}

/**
 * Reads the keys every instance of one cloud shares (`HEARTH_KEYS_FILE`): never generated, so
 * two instances can never sign or hash with different keys. Throws `CloudKeysError` naming the
 * file when it is missing or invalid (never the secrets).
 */
export async function loadKeysFile(path: string): Promise<CloudKeys> {
  const text = await readIfExists(path);
  if (text === undefined) throw new CloudKeysError(`keys file ${path} does not exist`);
  try {
    return parseKeys(text);
  } catch (error) {
    if (error instanceof CloudKeysError) throw new CloudKeysError(`${path}: ${error.message}`);
    throw error;
  }
}

/** Imports the keys as WebCrypto keys and a token signer. */
export async function importCloudKeys(keys: CloudKeys): Promise<ImportedCloudKeys> {
  return {
    signer: createTokenSigner({
      privateKey: await importTokenSigningKey(keys.signingJwk),
      kid: keys.signingKid,
    }),
    verifyKey: await importTokenVerifyKey(publicJwkOf(keys.signingJwk)),
    pinKey: await importPinKey(keys.pinKeyRaw),
    cursorSecret: keys.cursorSecret,
  };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
