import { networkInterfaces } from 'node:os';
import { renderUnicodeCompact } from 'uqr';
import { createTokenSigner, DeviceRole, importTokenSigningKey, SETUP_ISSUER } from '#protocol';
import { withFlags } from './config.ts';
import { readIdentity } from './identity/identity-file.ts';
import { relayKid } from './identity/relay-identity.ts';
import { pairUrlOf, signPairingCode } from './lan/device-routes.ts';

// `hearth-relay pair [--role floor|kitchen] [--origin <url>]` (or `bun relay/main.ts pair`): a
// one-time setup pairing link for the venue's first device (decision 034), signed with the
// relay identity's key in the data dir, so it works with the uplink down. Printed to the
// terminal only (with a QR code), never to the JSON log.

const EXIT_USAGE = 2;
const USAGE =
  'usage: hearth-relay pair [--role floor|kitchen] [--origin https://<relay address>:<port>] [--data-dir <dir>] [--port <port>]';

/** Where the printed text goes: stdout for the link, stderr for what went wrong. */
export interface PairOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** The value of `--name value` or `--name=value` in `argv`. */
function option(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === name) return argv[i + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

/** The relay as a device on the LAN reaches it: its first LAN IPv4 address, else localhost. */
function lanOrigin(env: Record<string, string | undefined>): string {
  const plain = env.HEARTH_PLAIN_HTTP === '1' || env.HEARTH_PLAIN_HTTP === 'true';
  const address = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .find((info) => info.family === 'IPv4' && !info.internal)?.address;
  return `${plain ? 'http' : 'https'}://${address ?? 'localhost'}:${env.PORT ?? '8788'}`;
}

/**
 * Prints a setup pairing link (and its QR code) for this relay's venue. Returns the exit code:
 * 0, or 2 for a bad option or a relay not enrolled yet.
 */
export async function runPairCommand(
  argv: readonly string[],
  processEnv: Record<string, string | undefined>,
  output: PairOutput = { out: console.log, err: console.error },
  now: () => Date = () => new Date(),
): Promise<number> {
  const env = withFlags(processEnv, argv);
  const role = DeviceRole.safeParse(option(argv, '--role') ?? 'floor');
  if (!role.success) {
    output.err(`hearth relay pair: --role must be floor or kitchen\n${USAGE}`);
    return EXIT_USAGE;
  }
  const origin = option(argv, '--origin') ?? lanOrigin(env);
  if (!/^https?:\/\/[^/]+\/?$/.test(origin)) {
    output.err(`hearth relay pair: --origin must be an http(s) origin\n${USAGE}`);
    return EXIT_USAGE;
  }
  const dataDir = env.HEARTH_DATA_DIR ?? './data/relay';
  const identity = readIdentity(dataDir);
  if (!identity) {
    output.err(
      `hearth relay pair: no relay identity in ${dataDir}: enroll the relay first (HEARTH_ENROLL_TOKEN), or set HEARTH_DATA_DIR`,
    );
    return EXIT_USAGE;
  }
  const signer = createTokenSigner({
    privateKey: await importTokenSigningKey(identity.signingJwk),
    kid: relayKid(identity.nodeId),
  });
  const { code, expiresAt } = await signPairingCode(
    signer,
    identity,
    SETUP_ISSUER,
    role.data,
    now(),
  );
  const pairUrl = pairUrlOf(origin, code);
  const what = role.data === 'kitchen' ? 'kitchen display' : 'floor tablet';
  output.out(renderUnicodeCompact(pairUrl));
  output.out(`Open this link on the ${what} to pair it with ${identity.venueId}`);
  output.out(`(single use, until ${expiresAt}):\n`);
  output.out(pairUrl);
  return 0;
}
