import { processLogger } from '../../logger.ts';
import { createProcessorApp } from './app.ts';
import { parseProcessorConfig } from './config.ts';

// The test processor's process: `bun server/payments/test-processor/main.ts --port 8790
// --webhook http://127.0.0.1:8787/v1/payments/processor-events --secret <secret>`.

/** Exit code for a configuration the operator must fix. */
const EXIT_CONFIG = 2;

const { log, drain } = processLogger();
const parsed = parseProcessorConfig(process.env, process.argv.slice(2));
if (!parsed.ok) {
  for (const error of parsed.errors)
    console.error(`hearth test processor: invalid configuration: ${error}`);
  process.exit(EXIT_CONFIG);
}
const { config } = parsed;

const processor = createProcessorApp({
  secret: config.secret,
  webhookUrl: config.webhookUrl,
  publicUrl: config.publicUrl,
  log,
});
const server = Bun.serve({
  port: config.port,
  hostname: config.host,
  fetch: processor.app.fetch,
  // A scripted timeout holds an answer for up to 100 s; Bun would close it after 10 s idle.
  idleTimeout: 120,
});
log('info', 'test processor listening', {
  port: server.port,
  host: config.host,
  webhookUrl: config.webhookUrl ?? null,
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log('info', 'test processor stopping', { signal });
    processor.close();
    server.stop(true).then(
      () => drain().then(() => process.exit(0)),
      (error: unknown) => {
        log('error', 'shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  });
}
