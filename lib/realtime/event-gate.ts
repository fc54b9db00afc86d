/**
 * Counts the client events that are running so that shutdown can stop taking new ones, wait for the
 * running ones to finish and answer, and only then close connections and the database.
 */
export class EventGate {
  private running = 0;
  private accepting = true;
  private idleWaiters: (() => void)[] = [];

  get isAccepting(): boolean {
    return this.accepting;
  }

  /** Runs `task` (the event and its reply) unless the gate is closed. Returns false when it did not run. */
  async run(task: () => Promise<void>): Promise<boolean> {
    if (!this.accepting) return false;
    this.running++;
    try {
      await task();
    } finally {
      this.running--;
      if (this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
    return true;
  }

  /**
   * Stops taking events and resolves when the running ones are done, or after `timeoutMs`.
   * Returns how many were still running when it gave up (0 when drained).
   */
  async close(timeoutMs: number): Promise<number> {
    this.accepting = false;
    if (this.running === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    return this.running;
  }
}
