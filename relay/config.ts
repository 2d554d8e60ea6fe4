import { isIP } from 'node:net';
import { z } from 'zod';

/** The relay's settings, read once from the environment (and matching flags) at start-up. */
export interface RelayConfig {
  readonly port: number;
  readonly dataDir: string;
  readonly cloudUrl: string;
  readonly enrollToken: string | undefined;
  readonly rescueUrl: string | undefined;
  /** How the LAN port is served: the venue CA (default), an operator's certificate, or plain HTTP. */
  readonly tls: RelayTlsConfig;
  /**
   * Answer multicast DNS for `hearth-<venue>.local` (decision 035). HEARTH_MDNS `1`/`0`;
   * unset, on in venue-CA mode only: the venue certificate names that host, other modes' do not.
   */
  readonly mdns: boolean;
  readonly webDir: string;
  readonly probeIntervalMs: number;
  /** How often the relay reports itself (and its devices' checkpoints) to the cloud. */
  readonly heartbeatIntervalMs: number;
  readonly rescueAfterMs: number;
  readonly rescueBudgetBytes: number;
  /**
   * The card processor the relay charges through while its uplink is down
   * (`HEARTH_PROCESSOR_URL`, the venue's reader `HEARTH_READER`, default counter-1); unset:
   * card payments are only forwarded to the cloud, and answer 503 offline.
   */
  readonly processor: { readonly url: string; readonly reader: string } | undefined;
}

/**
 * The LAN's TLS (decision 033). `venue-ca`: the relay's own CA signs its server certificate;
 * `onboardingPort` (undefined: not served) is the plain-HTTP page that hands the CA to devices.
 * `operator`: PEM files the operator keeps renewed, watched and swapped in without a restart.
 * `plain`: no TLS, only when asked for (devices other than localhost get no service worker).
 */
export type RelayTlsConfig =
  | {
      readonly mode: 'venue-ca';
      readonly extraNames: { readonly dnsNames: string[]; readonly ipAddresses: string[] };
      readonly onboardingPort: number | undefined;
      readonly checkIntervalMs: number;
    }
  | {
      readonly mode: 'operator';
      readonly cert: string;
      readonly key: string;
      readonly checkIntervalMs: number;
    }
  | { readonly mode: 'plain' };

export const DEFAULT_ONBOARDING_PORT = 8789;
export const DEFAULT_TLS_CHECK_INTERVAL_MS = 86_400_000;

export type RelayConfigResult = { ok: true; config: RelayConfig } | { ok: false; errors: string[] };

const FLAGS: Record<string, string> = {
  '--port': 'PORT',
  '--data-dir': 'HEARTH_DATA_DIR',
  '--cloud-url': 'HEARTH_CLOUD_URL',
  '--enroll-token': 'HEARTH_ENROLL_TOKEN',
  '--rescue-url': 'HEARTH_RESCUE_URL',
  '--web-dir': 'HEARTH_WEB_DIR',
  '--processor-url': 'HEARTH_PROCESSOR_URL',
  '--reader': 'HEARTH_READER',
};
/** Flags without a value: present means `1`. */
const SWITCHES: Record<string, string> = { '--plain-http': 'HEARTH_PLAIN_HTTP' };

/** Flags (`--cloud-url https://…` or `--cloud-url=…`) override the environment. */
export function withFlags(
  env: Record<string, string | undefined>,
  argv: readonly string[],
): Record<string, string | undefined> {
  const merged = { ...env };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
    const switched = SWITCHES[flag];
    if (switched) {
      merged[switched] = inline ?? '1';
      continue;
    }
    const name = FLAGS[flag];
    if (!name) continue;
    merged[name] = inline ?? argv[++i];
  }
  return merged;
}

const Url = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');
const Int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/**
 * The PWA a relay serves when HEARTH_WEB_DIR is not set: the copy a compiled relay carries
 * (`bun build --compile --asset=web/dist`, read through node:fs under Bun's `/$bunfs/root`),
 * else this checkout's `./web/dist`.
 */
export function defaultWebDir(moduleUrl: string = import.meta.url): string {
  return moduleUrl.startsWith('file:///$bunfs/') ? '/$bunfs/root/dist' : './web/dist';
}
/**
 * Validates the relay's configuration; every problem is named, so an operator fixes them all
 * at once. HEARTH_CLOUD_URL is required; HEARTH_ENROLL_TOKEN only until the relay is enrolled.
 */
export function parseRelayConfig(env: Record<string, string | undefined>): RelayConfigResult {
  const errors: string[] = [];
  const field = <T>(name: string, schema: z.ZodType<T>, raw: string | undefined): T | undefined => {
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    errors.push(
      `${name} ${parsed.error.issues[0]?.message ?? 'is invalid'} (got ${JSON.stringify(raw)})`,
    );
    return undefined;
  };
  const port = field('PORT', Int(0, 65535), env.PORT ?? '8788');
  const dataDir = field(
    'HEARTH_DATA_DIR',
    z.string().trim().min(1, 'must be a directory path'),
    env.HEARTH_DATA_DIR ?? './data/relay',
  );
  if (!env.HEARTH_CLOUD_URL)
    errors.push(
      "HEARTH_CLOUD_URL is required (or --cloud-url): the cloud's URL, e.g. https://cloud.example.com",
    );
  const cloudUrl = env.HEARTH_CLOUD_URL
    ? field('HEARTH_CLOUD_URL', Url, env.HEARTH_CLOUD_URL)
    : undefined;
  const rescueUrl = env.HEARTH_RESCUE_URL
    ? field('HEARTH_RESCUE_URL', Url, env.HEARTH_RESCUE_URL)
    : undefined;
  const probeIntervalMs = field(
    'HEARTH_PROBE_INTERVAL_MS',
    Int(100, 600_000),
    env.HEARTH_PROBE_INTERVAL_MS ?? '2000',
  );
  const heartbeatIntervalMs = field(
    'HEARTH_HEARTBEAT_INTERVAL_MS',
    Int(100, 600_000),
    env.HEARTH_HEARTBEAT_INTERVAL_MS ?? '15000',
  );
  const rescueAfterMs = field(
    'HEARTH_RESCUE_AFTER_MS',
    Int(0, 86_400_000),
    env.HEARTH_RESCUE_AFTER_MS ?? '300000',
  );
  const rescueBudgetBytes = field(
    'HEARTH_RESCUE_BUDGET_BYTES',
    Int(1024, 10_000_000_000),
    env.HEARTH_RESCUE_BUDGET_BYTES ?? String(5 * 1024 * 1024),
  );
  const processorUrl = env.HEARTH_PROCESSOR_URL
    ? field('HEARTH_PROCESSOR_URL', Url, env.HEARTH_PROCESSOR_URL)
    : undefined;
  const reader = field(
    'HEARTH_READER',
    z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/, "must be the reader's id, 1-64 letters, digits or ._:-"),
    env.HEARTH_READER || 'counter-1',
  );
  const tls = parseTls(env, port, errors);
  const mdnsRaw = env.HEARTH_MDNS ?? '';
  if (!['', '0', '1'].includes(mdnsRaw))
    errors.push(
      `HEARTH_MDNS must be 1 (answer for hearth-<venue>.local), 0 (do not) or empty (on in venue-CA mode) (got ${JSON.stringify(mdnsRaw)})`,
    );
  if (
    errors.length > 0 ||
    tls === undefined ||
    port === undefined ||
    dataDir === undefined ||
    cloudUrl === undefined ||
    probeIntervalMs === undefined ||
    heartbeatIntervalMs === undefined ||
    rescueAfterMs === undefined ||
    rescueBudgetBytes === undefined
  ) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    config: {
      port,
      dataDir,
      cloudUrl,
      enrollToken: env.HEARTH_ENROLL_TOKEN || undefined,
      rescueUrl,
      tls,
      mdns: mdnsRaw === '' ? tls.mode === 'venue-ca' : mdnsRaw === '1',
      webDir: env.HEARTH_WEB_DIR ?? defaultWebDir(),
      probeIntervalMs,
      heartbeatIntervalMs,
      rescueAfterMs,
      rescueBudgetBytes,
      processor:
        processorUrl === undefined || reader === undefined
          ? undefined
          : { url: processorUrl, reader },
    },
  };
}

/** A DNS name for the SAN: labels of letters, digits and hyphens (a leading `*.` allowed). */
const DNS_NAME =
  /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

function parseTls(
  env: Record<string, string | undefined>,
  port: number | undefined,
  errors: string[],
): RelayTlsConfig | undefined {
  const before = errors.length;
  const plainRaw = env.HEARTH_PLAIN_HTTP ?? '';
  if (!['', '0', '1'].includes(plainRaw))
    errors.push(
      `HEARTH_PLAIN_HTTP must be 1 (serve plain HTTP) or 0/empty (got ${JSON.stringify(plainRaw)})`,
    );
  const plain = plainRaw === '1';
  const cert = env.HEARTH_TLS_CERT || undefined;
  const key = env.HEARTH_TLS_KEY || undefined;
  if ((cert === undefined) !== (key === undefined))
    errors.push('HEARTH_TLS_CERT and HEARTH_TLS_KEY go together: set both or neither');
  if (plain && (cert !== undefined || key !== undefined))
    errors.push(
      'HEARTH_PLAIN_HTTP=1 (--plain-http) and HEARTH_TLS_CERT/HEARTH_TLS_KEY contradict each other: unset one',
    );
  const intervalRaw = env.HEARTH_TLS_CHECK_INTERVAL_MS ?? String(DEFAULT_TLS_CHECK_INTERVAL_MS);
  const interval = Int(100, 2_147_483_647).safeParse(intervalRaw);
  if (!interval.success)
    errors.push(
      `HEARTH_TLS_CHECK_INTERVAL_MS ${interval.error.issues[0]?.message ?? 'is invalid'} (got ${JSON.stringify(intervalRaw)})`,
    );
  const onboardingRaw = env.HEARTH_ONBOARDING_PORT ?? String(DEFAULT_ONBOARDING_PORT);
  const onboarding = Int(0, 65535).safeParse(onboardingRaw);
  if (!onboarding.success)
    errors.push(
      `HEARTH_ONBOARDING_PORT ${onboarding.error.issues[0]?.message ?? 'is invalid'} (got ${JSON.stringify(onboardingRaw)})`,
    );
  else if (onboarding.data !== 0 && onboarding.data === port && !plain && cert === undefined)
    errors.push(
      `HEARTH_ONBOARDING_PORT must differ from PORT (both ${port}); 0 turns the onboarding page off`,
    );
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const name of (env.HEARTH_TLS_NAMES ?? '').split(',').map((n) => n.trim())) {
    if (name === '') continue;
    if (isIP(name) !== 0) ipAddresses.push(name);
    else if (DNS_NAME.test(name) && name.length <= 253) dnsNames.push(name.toLowerCase());
    else
      errors.push(
        `HEARTH_TLS_NAMES has ${JSON.stringify(name)}, neither a DNS name nor an IP address (comma-separated, e.g. relay.lan,192.168.1.20)`,
      );
  }
  if (errors.length > before || !interval.success || !onboarding.success) return undefined;
  if (plain) return { mode: 'plain' };
  if (cert !== undefined && key !== undefined)
    return { mode: 'operator', cert, key, checkIntervalMs: interval.data };
  return {
    mode: 'venue-ca',
    extraNames: { dnsNames, ipAddresses },
    onboardingPort: onboarding.data === 0 ? undefined : onboarding.data,
    checkIntervalMs: interval.data,
  };
}
