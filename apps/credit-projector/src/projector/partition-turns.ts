/**
 * One chunk at a time per partition number. Partition p of editor-events and partition p of
 * billing-events hold the same accounts and are consumed by this process together
 * (co-partitioned): their chunks take turns here, so an account's states are never decided by two
 * chunks at once (which the store would refuse as a conflict, after the work). Turns are granted in
 * the order asked. Entries live only while a chunk holds or waits for a turn: at most one per
 * partition the process owns.
 */
export class PartitionTurns {
  private readonly tails = new Map<number, Promise<void>>();

  async run<T>(partition: number, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(partition) ?? Promise.resolve();
    let release = () => {};
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.tails.set(partition, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(partition) === tail) this.tails.delete(partition);
    }
  }

  /** Partition numbers with a chunk running or waiting (for tests and limits). */
  get busy(): number {
    return this.tails.size;
  }
}
