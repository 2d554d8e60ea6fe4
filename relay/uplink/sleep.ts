/** A wait a loop's state change can cut short: `Waker`, or a test's hand-driven fake. */
export interface Sleeper {
  /** Resolves after `ms`, or at once when `wake` is called meanwhile. */
  sleep(ms: number): Promise<void>;
  /** Ends the sleep under way, if any (a wake with no sleep under way is not kept). */
  wake(): void;
}

/** Sleeps `ms`, or less when `wake` is called: loops use it so a state change acts at once. */
export class Waker implements Sleeper {
  private wakeUp: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wakeUp === done) self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  wake(): void {
    this.wakeUp?.();
  }
}
