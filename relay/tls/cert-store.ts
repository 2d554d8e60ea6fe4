import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

// The venue CA and the server certificate on disk, under `<data dir>/tls/`: certificates 0644,
// private keys 0600 in a 0700 directory. A key file that group or others can read is refused,
// not repaired: it may already have been copied, and only a person can judge that (decision 030).

export const TLS_FILES = {
  caCert: 'venue-ca.crt',
  caKey: 'venue-ca.key',
  serverCert: 'server.crt',
  serverKey: 'server.key',
} as const;

export interface VenueTlsFiles {
  readonly caCertPem: string;
  readonly caKeyPem: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
}

export class TlsFileError extends Error {
  readonly code = 'TLS_FILE_INVALID';
}

export const tlsDir = (dataDir: string): string => join(dataDir, 'tls');

/** Writes all four files, each atomically (temp file + rename); keys 0600, never logged. */
export function writeVenueTls(dataDir: string, files: VenueTlsFiles): void {
  const dir = tlsDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeAtomically(join(dir, TLS_FILES.caCert), files.caCertPem, 0o644);
  writeAtomically(join(dir, TLS_FILES.caKey), files.caKeyPem, 0o600);
  writeAtomically(join(dir, TLS_FILES.serverCert), files.serverCertPem, 0o644);
  writeAtomically(join(dir, TLS_FILES.serverKey), files.serverKeyPem, 0o600);
}

/** Replaces the server certificate and key only (a rotation; the CA stays). */
export function writeServerCertificate(dataDir: string, certPem: string, keyPem: string): void {
  const dir = tlsDir(dataDir);
  writeAtomically(join(dir, TLS_FILES.serverCert), certPem, 0o644);
  writeAtomically(join(dir, TLS_FILES.serverKey), keyPem, 0o600);
}

/**
 * The stored files, or undefined when none exist yet (before the first issuance). Some but not
 * all of them, or a key file group/world can read, is an error naming the file.
 */
export function readVenueTls(dataDir: string): VenueTlsFiles | undefined {
  const dir = tlsDir(dataDir);
  const paths = Object.values(TLS_FILES).map((name) => join(dir, name));
  const present = paths.filter((path) => existsSync(path));
  if (present.length === 0) return undefined;
  if (present.length < paths.length) {
    const missing = paths.filter((path) => !present.includes(path));
    throw new TlsFileError(`${dir} is incomplete: ${missing.join(', ')} missing`);
  }
  return {
    caCertPem: readFileSync(join(dir, TLS_FILES.caCert), 'utf8'),
    caKeyPem: readKeyFile(join(dir, TLS_FILES.caKey)),
    serverCertPem: readFileSync(join(dir, TLS_FILES.serverCert), 'utf8'),
    serverKeyPem: readKeyFile(join(dir, TLS_FILES.serverKey)),
  };
}

/** A private key file's PEM, refused when its mode lets group or others read or write it. */
export function readKeyFile(path: string): string {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new TlsFileError(
      `${path} has mode ${mode.toString(8).padStart(4, '0')}; a private key must be 0600. ` +
        'Treat the key as possibly copied; if that is ruled out, chmod 600 it; otherwise delete the ' +
        'tls directory so the relay issues new keys (a new CA must be trusted again on each device).',
    );
  }
  const pem = readFileSync(path, 'utf8');
  if (!pem.includes('-----BEGIN PRIVATE KEY-----')) {
    throw new TlsFileError(`${path} is not a PKCS#8 PEM private key`);
  }
  return pem;
}

function writeAtomically(path: string, text: string, mode: number): void {
  const temp = `${path}.tmp`;
  writeFileSync(temp, text, { mode });
  // The umask may have narrowed or the temp may have existed with another mode.
  chmodSync(temp, mode);
  renameSync(temp, path);
}
