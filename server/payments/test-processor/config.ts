import * as z from 'zod';

// The test processor's settings: flags (`--port 8790 --webhook URL --secret S`) or their
// environment variables, flags winning.

export interface ProcessorConfig {
  port: number;
  /** The address it listens on (default 127.0.0.1: the control API is for this machine). */
  host: string;
  webhookUrl: string | undefined;
  secret: string;
  /** The origin checkout pages are given under, when not the one requests come to. */
  publicUrl: string | undefined;
}

const FLAGS: Readonly<Record<string, string>> = {
  '--port': 'HEARTH_PROCESSOR_PORT',
  '--host': 'HEARTH_PROCESSOR_HOST',
  '--webhook': 'HEARTH_PROCESSOR_WEBHOOK_URL',
  '--secret': 'HEARTH_PROCESSOR_SECRET',
  '--public-url': 'HEARTH_PROCESSOR_PUBLIC_URL',
};

const HttpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL');

const Config = z.object({
  HEARTH_PROCESSOR_PORT: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535))
    .default(8790),
  HEARTH_PROCESSOR_HOST: z.string().min(1).default('127.0.0.1'),
  HEARTH_PROCESSOR_WEBHOOK_URL: HttpUrl.optional(),
  HEARTH_PROCESSOR_SECRET: z.string().min(16, 'must be at least 16 characters'),
  HEARTH_PROCESSOR_PUBLIC_URL: HttpUrl.optional(),
});

export type ProcessorConfigResult =
  | { ok: true; config: ProcessorConfig }
  | { ok: false; errors: string[] };

/** Reads the settings from `argv` (flags, `--port 1` or `--port=1`) over `env`. */
export function parseProcessorConfig(
  env: Record<string, string | undefined>,
  argv: readonly string[],
): ProcessorConfigResult {
  const merged: Record<string, string | undefined> = {};
  for (const name of Object.values(FLAGS)) merged[name] = env[name] || undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag = '', inline] = (argv[i] ?? '').split(/=(.*)/s, 2);
    const name = FLAGS[flag];
    if (!name) return { ok: false, errors: [`unknown argument ${flag}`] };
    merged[name] = inline ?? argv[++i];
  }
  const parsed = Config.safeParse(merged);
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`),
    };
  const c = parsed.data;
  return {
    ok: true,
    config: {
      port: c.HEARTH_PROCESSOR_PORT,
      host: c.HEARTH_PROCESSOR_HOST,
      webhookUrl: c.HEARTH_PROCESSOR_WEBHOOK_URL,
      secret: c.HEARTH_PROCESSOR_SECRET,
      publicUrl: c.HEARTH_PROCESSOR_PUBLIC_URL?.replace(/\/+$/, ''),
    },
  };
}
