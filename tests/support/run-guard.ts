/**
 * Bounds a long script (a benchmark, the screenshots): past `deadlineMs`, or on Ctrl-C or
 * SIGTERM, it runs `stop` (browsers closed, processes killed, temporary files removed) and
 * exits — 1 for the deadline, 130 for a signal — so nothing outlives it. Call the returned
 * function when the script ends on its own.
 */
export function guardRun(
  name: string,
  deadlineMs: number,
  stop: () => Promise<unknown>,
): () => void {
  const deadline = setTimeout(() => {
    console.error(`${name}: over ${Math.round(deadlineMs / 1000)} s, giving up`);
    void stop().finally(() => process.exit(1));
  }, deadlineMs);
  const interrupted = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  return () => {
    clearTimeout(deadline);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  };
}
