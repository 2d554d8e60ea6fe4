import { readdirSync, readFileSync } from 'node:fs';

// CPU accounting for benches, from Linux's /proc: which process is the cloud, and how much CPU
// a process has used. Null where /proc is missing or unreadable.

function unreadable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'ESRCH';
}

/** The pid of the cloud process serving `dataDir` (its environment names it), from /proc. */
export function cloudPid(dataDir: string): number | null {
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const environ = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
        if (environ.includes(`HEARTH_DATA_DIR=${dataDir}`)) return Number(name);
      } catch (error) {
        // Gone, or not ours to read: not the cloud.
        if (!unreadable(error)) throw error;
      }
    }
  } catch (error) {
    if (!unreadable(error)) throw error;
  }
  return null;
}

/** CPU time (user + system, ms) the process has used so far; null where /proc is missing. */
export function processCpuMs(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch (error) {
    if (unreadable(error)) return null;
    throw error;
  }
}
