/**
 * Batch writes run one after another, in the order they were added, while the caller
 * reads and converts the next batches. Holds no reference to a batch once its write has
 * ended (p-queue 9 keeps up to 100 finished tasks, each with its whole batch, in its
 * array until it compacts: hundreds of MB on a long table), and the first failure stops
 * the rest.
 */
export class SerialWrites {
  private tail: Promise<void> = Promise.resolve();
  /** writes added and not yet ended, the running one included */
  private open = 0;
  private wake: (() => void) | null = null;
  failure: unknown = null;

  /** Queue a write; a failure is kept in `failure` and every later write is skipped. */
  add(write: () => Promise<void>): void {
    this.open++;
    this.tail = this.tail.then(async () => {
      try {
        if (this.failure === null) await write();
      } catch (e) {
        this.failure ??= e;
      } finally {
        this.open--;
        const w = this.wake;
        this.wake = null;
        w?.();
      }
    });
  }

  /** Resolves once fewer than `limit` writes are waiting behind the running one. */
  async waitingBelow(limit: number): Promise<void> {
    while (this.open - 1 >= limit && this.failure === null) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Resolves when every added write has ended. */
  idle(): Promise<void> {
    return this.tail;
  }
}
