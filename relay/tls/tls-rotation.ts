import { watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../../server/logger.ts';
import type { ServedCertificate } from './relay-tls.ts';

// When the served certificate is looked at again (a timer, SIGHUP, the operator's files
// changing) and what happens then: the next pair is loaded and checked, and swapped in only
// if it differs; a pair that fails its checks is logged and the current one keeps serving.

export interface Swappable {
  readonly tls: ServedCertificate | undefined;
  swap(tls: ServedCertificate): { bindMs: number };
}

/** The next pair to serve and why it may differ (for the log line); throws when unusable. */
export type LoadCertificate = () => Promise<{ served: ServedCertificate; reason: string }>;

export interface TlsRotation {
  /**
   * Loads, compares and maybe swaps; never throws. One check runs at a time: a call made while
   * one runs gets the next one (files may have changed after it read them), and calls made
   * while that one waits share it.
   */
  check(trigger: string): Promise<'kept' | 'rotated' | 'failed'>;
}

export function createTlsRotation(deps: {
  listener: Swappable;
  load: LoadCertificate;
  log: Logger;
}): TlsRotation {
  let running: Promise<unknown> = Promise.resolve();
  let queued: Promise<'kept' | 'rotated' | 'failed'> | undefined;
  const run = async (trigger: string): Promise<'kept' | 'rotated' | 'failed'> => {
    let next: { served: ServedCertificate; reason: string };
    try {
      next = await deps.load();
    } catch (error) {
      deps.log('error', 'tls certificate not replaced; the current one keeps serving', {
        trigger,
        error: error instanceof Error ? error.message : String(error),
      });
      return 'failed';
    }
    const current = deps.listener.tls;
    if (current?.certPem === next.served.certPem && current.keyPem === next.served.keyPem) {
      return 'kept';
    }
    try {
      const { bindMs } = deps.listener.swap(next.served);
      deps.log('info', 'tls certificate rotated', {
        trigger,
        reason: next.reason,
        serial: next.served.serial,
        notAfter: next.served.notAfter.toISOString(),
        bindMs: Math.round(bindMs * 10) / 10,
      });
      return 'rotated';
    } catch (error) {
      deps.log('error', 'tls listener swap failed; the current one keeps serving', {
        trigger,
        error: error instanceof Error ? error.message : String(error),
      });
      return 'failed';
    }
  };
  return {
    check(trigger) {
      if (queued) return queued;
      const next = running.then(() => {
        queued = undefined;
        return run(trigger);
      });
      queued = next;
      running = next;
      return next;
    },
  };
}

/**
 * Calls `onChange` (debounced) when any of `paths` changes: fs.watch on their directories
 * (renames by certbot-style tools and editors included), and a stat poll every `pollMs` for
 * file systems where watching says nothing (network mounts, some containers).
 */
export function watchFiles(
  paths: readonly string[],
  onChange: () => void,
  options: { debounceMs?: number; pollMs?: number } = {},
): () => void {
  const debounceMs = options.debounceMs ?? 500;
  const pollMs = options.pollMs ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const names = new Set(paths.map((path) => path.slice(dirname(path).length + 1)));
  const watchers = [...new Set(paths.map((path) => dirname(path)))].flatMap((dir) => {
    try {
      const watcher = watch(dir, (_event, name) => {
        if (name === null || names.has(String(name))) changed();
      });
      watcher.on('error', () => watcher.close());
      return [watcher];
    } catch {
      return [];
    }
  });
  const stamps = new Map<string, string>();
  const stampOf = async (path: string) => {
    const s = await stat(path).catch(() => undefined);
    return s ? `${s.ino}:${s.size}:${s.mtimeMs}` : 'missing';
  };
  void Promise.all(paths.map(async (path) => stamps.set(path, await stampOf(path))));
  const poll = setInterval(async () => {
    for (const path of paths) {
      const stamp = await stampOf(path);
      if (stamps.get(path) !== stamp) {
        stamps.set(path, stamp);
        changed();
      }
    }
  }, pollMs);
  return () => {
    clearTimeout(timer);
    clearInterval(poll);
    for (const watcher of watchers) watcher.close();
  };
}
