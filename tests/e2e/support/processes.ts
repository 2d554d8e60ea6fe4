import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../support/wait-for.ts';

// Spawns the real Bun processes for end-to-end tests and guarantees none outlive the test run.

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUN_BIN = fileURLToPath(new URL('../../../node_modules/.bin/bun', import.meta.url));
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export interface CloudProcess {
  url: string;
  port: number;
  /** The keys file the cloud signs with: HEARTH_KEYS_FILE, else `<dataDir>/keys.json`. */
  keysFile: string;
  /** Everything the process has written so far. */
  output(): { stdout: string; stderr: string };
  /** SIGTERM, then wait for the exit (SIGKILL after 5 s); rejects unless it exited with code 0. */
  stop(): Promise<void>;
  /** SIGKILL, as a power cut would; waits until the process is gone. */
  kill9(): Promise<void>;
}

export interface CloudOptions {
  dataDir: string;
  port?: number;
  /** Extra or overriding environment variables for the child. */
  env?: Record<string, string>;
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Finds a port that is free right now by letting the OS pick one for a throwaway listener. */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') {
    throw new Error(`unexpected listener address: ${String(address)}`);
  }
  return address.port;
}

interface Spawned {
  child: ChildProcess;
  /** Settles once the process has exited and its output pipes are drained. */
  closed: Promise<void>;
  stdout: () => string;
  stderr: () => string;
}

const children = new Set<Spawned>();

// Last resort if a test forgot to stop its process or the worker is torn down mid-test.
process.on('exit', () => {
  for (const { child } of children) child.kill('SIGKILL');
});

function spawnCloud(env: Record<string, string>): Spawned {
  if (!existsSync(BUN_BIN)) {
    throw new Error(`bun not found at ${BUN_BIN}; run npm ci (bun is a devDependency)`);
  }
  // Started as scripts/start.mjs starts it: Bun's header limit above the app's (431 problem).
  const child = spawn(BUN_BIN, ['--max-http-header-size=65536', 'cloud/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // 'close' (not 'exit') so the captured output is complete; 'error' covers a failed spawn.
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', (error) => {
      stderr += `spawn error: ${error.message}\n`;
      resolve();
    });
  });
  const spawned: Spawned = { child, closed, stdout: () => stdout, stderr: () => stderr };
  children.add(spawned);
  closed.then(() => children.delete(spawned));
  return spawned;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitForClose(spawned: Spawned, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
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
  if (!(await waitForClose(spawned, STOP_TIMEOUT_MS))) {
    throw new Error(`process ${spawned.child.pid} survived SIGKILL for ${STOP_TIMEOUT_MS} ms`);
  }
}

async function waitUntilHealthy(url: string, spawned: Spawned): Promise<void> {
  const ready = await waitFor(
    `the cloud at ${url} answering /healthz`,
    async () => {
      if (hasExited(spawned.child)) return 'exited';
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) }).catch(
        (error: unknown) => {
          // Connection refused until the server binds; fetch says so only in its cause.
          throw error instanceof Error && error.cause
            ? new Error(`${error.message} ${String(error.cause)}`)
            : error;
        },
      );
      if (!res.ok) throw new Error(`/healthz answered ${res.status}`);
      return 'healthy';
    },
    { timeoutMs: READY_TIMEOUT_MS, intervalMs: 100 },
  ).catch((error: unknown) => {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\nstderr:\n${spawned.stderr()}\nstdout:\n${spawned.stdout()}`,
    );
  });
  if (ready === 'exited') {
    throw new Error(
      `cloud exited before it was ready (code ${spawned.child.exitCode}, signal ${spawned.child.signalCode})\nstderr:\n${spawned.stderr()}`,
    );
  }
}

/**
 * Starts `bun cloud/main.ts` on a free port with the given data directory and resolves once
 * `/healthz` answers. The caller must `stop()` or `kill9()` it; `stopAllChildren()` in an
 * `afterEach` catches the ones it forgot.
 *
 * @example
 * const cloud = await startCloud({ dataDir });
 * const res = await fetch(`${cloud.url}/healthz`);
 * await cloud.stop();
 */
export async function startCloud(options: CloudOptions): Promise<CloudProcess> {
  const port = options.port ?? (await findFreePort());
  const url = `http://127.0.0.1:${port}`;
  const spawned = spawnCloud({
    PORT: String(port),
    HEARTH_DATA_DIR: options.dataDir,
    ...options.env,
  });
  try {
    await waitUntilHealthy(url, spawned);
  } catch (error) {
    await kill(spawned, 'SIGKILL');
    throw error;
  }
  return {
    url,
    port,
    keysFile: options.env?.HEARTH_KEYS_FILE ?? join(options.dataDir, 'keys.json'),
    output: () => ({ stdout: spawned.stdout(), stderr: spawned.stderr() }),
    stop: async () => {
      await kill(spawned, 'SIGTERM');
      const { exitCode, signalCode } = spawned.child;
      if (exitCode !== 0) {
        throw new Error(
          `cloud did not exit cleanly on SIGTERM (code ${exitCode}, signal ${signalCode})\nstderr:\n${spawned.stderr()}`,
        );
      }
    },
    kill9: () => kill(spawned, 'SIGKILL'),
  };
}

/** Runs the cloud with the given environment and waits for it to exit on its own (bounded). */
export async function runCloudToExit(
  options: CloudOptions,
  timeoutMs = 10_000,
): Promise<ExitResult> {
  const spawned = spawnCloud({
    HEARTH_DATA_DIR: options.dataDir,
    ...(options.port === undefined ? {} : { PORT: String(options.port) }),
    ...options.env,
  });
  const exited = await waitForClose(spawned, timeoutMs);
  if (!exited) {
    await kill(spawned, 'SIGKILL');
    throw new Error(`cloud did not exit within ${timeoutMs} ms\nstderr:\n${spawned.stderr()}`);
  }
  return {
    code: spawned.child.exitCode,
    signal: spawned.child.signalCode,
    stdout: spawned.stdout(),
    stderr: spawned.stderr(),
  };
}

/** SIGKILLs every child still running; for `afterEach`/`afterAll`. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...children].map((spawned) => kill(spawned, 'SIGKILL')));
}
