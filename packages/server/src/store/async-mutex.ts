/**
 * A FIFO async mutex: `run(fn)` starts fn once every earlier `run` has settled, whether it resolved
 * or rejected. The stores use it to keep at most one transaction (and no plain write) in flight.
 */
export class AsyncMutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs fn alone; resolves or rejects as fn does. */
  run<R>(fn: () => Promise<R> | R): Promise<R> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
