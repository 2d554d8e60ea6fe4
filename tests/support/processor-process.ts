import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProcessorScript, ScriptUpdate } from '../../server/payments/processor-core.ts';
import type { ProcessorState } from '../../server/payments/test-processor/app.ts';
import { findFreePort } from '../e2e/support/processes.ts';
import { waitFor } from './wait-for.ts';

// The test card processor as a real process (`bun server/payments/test-processor/main.ts`) on
// a free port, for end-to-end tests: its URL and secret to give the cloud and the relay
// (HEARTH_PROCESSOR_URL, HEARTH_PROCESSOR_SECRET), and typed wrappers of its control API.
// No process outlives the run.

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUN_BIN = fileURLToPath(new URL('../../node_modules/.bin/bun', import.meta.url));
const MAIN = 'server/payments/test-processor/main.ts';
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 5_000;

export interface ProcessorOptions {
  /** Where it POSTs events (the cloud's `/v1/payments/processor-events`); settable later too. */
  webhookUrl?: string;
  /** Default: a fresh random one. */
  secret?: string;
  /** Default: a free port. */
  port?: number;
  /** Extra environment for the child. */
  env?: Record<string, string>;
}

export interface ProcessorProcess {
  /** `http://127.0.0.1:<port>`: HEARTH_PROCESSOR_URL. */
  readonly url: string;
  readonly port: number;
  /** HEARTH_PROCESSOR_SECRET: what events are signed with. */
  readonly secret: string;
  readonly pid: number;
  /** Changes the script (fields left out keep their value); answers the whole script. */
  script(update: ScriptUpdate): Promise<ProcessorScript>;
  /** Where events go from now on (waiting ones included). */
  setWebhook(url: string): Promise<void>;
  /** Forwards stored payments: authorised, or declined when scripted with `declineLater`. */
  forward(): Promise<{ paymentId: string; outcome: 'approved_later' | 'declined_later' }[]>;
  /** Charges, refunds, checkouts and the event log (delivered and pending). */
  state(): Promise<ProcessorState>;
  /** Forgets everything and puts the script back to its defaults. */
  reset(): Promise<void>;
  /** Pays a hosted checkout as the guest's "Pay" button does; resolves with the redirect. */
  payCheckout(checkoutId: string): Promise<{ status: number; location: string | null }>;
  /** Everything it has written so far (JSON log lines). */
  output(): { stdout: string; stderr: string };
  /** SIGTERM, then wait for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

interface Spawned {
  readonly child: ChildProcess;
  readonly closed: Promise<void>;
  stdout: string;
  stderr: string;
}

const processors = new Set<Spawned>();

// Last resort if a test forgot its processor or the worker is torn down mid-test.
process.on('exit', () => {
  for (const { child } of processors) child.kill('SIGKILL');
});

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

async function waitForClose(spawned: Spawned, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([spawned.closed.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function kill(spawned: Spawned, signal: NodeJS.Signals): Promise<void> {
  if (!hasExited(spawned.child)) spawned.child.kill(signal);
  if (await waitForClose(spawned, STOP_TIMEOUT_MS)) return;
  spawned.child.kill('SIGKILL');
  if (!(await waitForClose(spawned, STOP_TIMEOUT_MS)))
    throw new Error(`processor ${spawned.child.pid} survived SIGKILL for ${STOP_TIMEOUT_MS} ms`);
}

/**
 * Starts the test processor on a free port and resolves once its `/healthz` answers.
 *
 * @example
 * const processor = await startProcessor({ webhookUrl: `${cloud.url}/v1/payments/processor-events` });
 * await processor.script({ networkDown: true });
 * … // charge through the relay: stored
 * await processor.script({ networkDown: false });
 * await processor.forward(); // payment.authorised_later to the cloud
 * await processor.stop();
 */
export async function startProcessor(options: ProcessorOptions = {}): Promise<ProcessorProcess> {
  // Under `bun test` the running Bun will do; under Node, the project's.
  const bun = existsSync(BUN_BIN) ? BUN_BIN : process.execPath;
  const port = options.port ?? (await findFreePort());
  const url = `http://127.0.0.1:${port}`;
  const secret = options.secret ?? randomBytes(24).toString('hex');
  const child = spawn(bun, [MAIN], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      HEARTH_PROCESSOR_PORT: String(port),
      HEARTH_PROCESSOR_SECRET: secret,
      ...(options.webhookUrl ? { HEARTH_PROCESSOR_WEBHOOK_URL: options.webhookUrl } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawned: Spawned = {
    child,
    stdout: '',
    stderr: '',
    closed: new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.once('error', (error) => {
        spawned.stderr += `spawn error: ${error.message}\n`;
        resolve();
      });
    }),
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    spawned.stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    spawned.stderr += chunk;
  });
  processors.add(spawned);
  spawned.closed.then(() => processors.delete(spawned));

  try {
    const ready = await waitFor(
      `the test processor at ${url} answering /healthz`,
      async () => {
        if (hasExited(child)) return 'exited';
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
        if (!res.ok) throw new Error(`/healthz answered ${res.status}`);
        return 'healthy';
      },
      { timeoutMs: READY_TIMEOUT_MS, intervalMs: 50 },
    );
    if (ready === 'exited') throw new Error('the test processor exited before it was ready');
  } catch (error) {
    await kill(spawned, 'SIGKILL');
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\nstderr:\n${spawned.stderr}`,
    );
  }

  const control = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/_control/${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`processor ${method} /_control/${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };

  return {
    url,
    port,
    secret,
    pid: child.pid ?? -1,
    script: (update) => control<ProcessorScript>('POST', 'script', update),
    setWebhook: async (webhookUrl) => {
      await control('POST', 'script', { webhookUrl });
    },
    forward: async () =>
      (
        await control<{
          forwarded: { paymentId: string; outcome: 'approved_later' | 'declined_later' }[];
        }>('POST', 'forward')
      ).forwarded,
    state: () => control<ProcessorState>('GET', 'state'),
    reset: async () => {
      await control('POST', 'reset');
    },
    payCheckout: async (checkoutId) => {
      const res = await fetch(`${url}/checkout/${encodeURIComponent(checkoutId)}/pay`, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      return { status: res.status, location: res.headers.get('location') };
    },
    output: () => ({ stdout: spawned.stdout, stderr: spawned.stderr }),
    stop: () => kill(spawned, 'SIGTERM'),
    kill9: () => kill(spawned, 'SIGKILL'),
  };
}

/** SIGKILLs every processor still running; for `afterEach`/`afterAll`. */
export async function stopAllProcessors(): Promise<void> {
  await Promise.all([...processors].map((spawned) => kill(spawned, 'SIGKILL')));
}
