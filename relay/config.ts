import { z } from 'zod';

/** The relay's settings, read once from the environment (and matching flags) at start-up. */
export interface RelayConfig {
  readonly port: number;
  readonly dataDir: string;
  readonly cloudUrl: string;
  readonly enrollToken: string | undefined;
  readonly rescueUrl: string | undefined;
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  readonly webDir: string;
  readonly probeIntervalMs: number;
  /** How often the relay reports itself (and its devices' checkpoints) to the cloud. */
  readonly heartbeatIntervalMs: number;
  readonly rescueAfterMs: number;
  readonly rescueBudgetBytes: number;
}

export type RelayConfigResult = { ok: true; config: RelayConfig } | { ok: false; errors: string[] };

const FLAGS: Record<string, string> = {
  '--port': 'PORT',
  '--data-dir': 'HEARTH_DATA_DIR',
  '--cloud-url': 'HEARTH_CLOUD_URL',
  '--enroll-token': 'HEARTH_ENROLL_TOKEN',
  '--rescue-url': 'HEARTH_RESCUE_URL',
  '--web-dir': 'HEARTH_WEB_DIR',
};

/** Flags (`--cloud-url https://…` or `--cloud-url=…`) override the environment. */
export function withFlags(
  env: Record<string, string | undefined>,
  argv: readonly string[],
): Record<string, string | undefined> {
  const merged = { ...env };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
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
  const cert = env.HEARTH_TLS_CERT;
  const key = env.HEARTH_TLS_KEY;
  if ((cert === undefined) !== (key === undefined))
    errors.push('HEARTH_TLS_CERT and HEARTH_TLS_KEY go together: set both or neither');
  if (
    errors.length > 0 ||
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
      tls: cert !== undefined && key !== undefined ? { cert, key } : undefined,
      webDir: env.HEARTH_WEB_DIR ?? defaultWebDir(),
      probeIntervalMs,
      heartbeatIntervalMs,
      rescueAfterMs,
      rescueBudgetBytes,
    },
  };
}
