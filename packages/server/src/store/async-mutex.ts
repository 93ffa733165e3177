/**
 * A FIFO async mutex: `run(fn)` starts fn once every earlier `run` has settled, whether it resolved
 * or rejected. The stores use it to keep at most one transaction (and no plain write) in flight; the
 * registry uses it, with a bound on the wait, to serialise changes of definitions.
 */
export class AsyncMutex {
  private tail: Promise<unknown> = Promise.resolve();

  /**
   * Runs fn alone; resolves or rejects as fn does. With `waitMs`, a turn that has not come within
   * that many milliseconds rejects with `onTimeout()` and fn never runs (nothing it would have
   * changed is half-written); later callers still wait only for the turns before theirs.
   */
  run<R>(fn: () => Promise<R> | R, bound?: { waitMs: number; onTimeout: () => Error }): Promise<R> {
    if (!bound) {
      const result = this.tail.then(fn, fn);
      this.tail = result.catch(() => undefined);
      return result;
    }
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const turn = this.tail.then(() => {
      clearTimeout(timer);
      if (timedOut) return undefined as R;
      return fn();
    });
    this.tail = turn.catch(() => undefined);
    return new Promise<R>((resolve, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(bound.onTimeout());
      }, bound.waitMs);
      turn.then(
        (r) => {
          if (!timedOut) resolve(r);
        },
        (e) => {
          if (!timedOut) reject(e);
        },
      );
    });
  }
}
