/** Repeating timers as a port, so controllers can be driven by hand in tests. */
export interface Timers {
  /** Runs `run` every `ms` until the returned function is called. */
  every(ms: number, run: () => void): () => void;
}

export const browserTimers: Timers = {
  every(ms, run) {
    const id = setInterval(run, ms);
    return () => clearInterval(id);
  },
};
