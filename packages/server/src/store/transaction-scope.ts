import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Tracks which store transactions the current async call chain runs inside, so that a call that would
 * deadlock (a nested `transaction`, or a plain `put`/`delete` on the store instead of on `tx`, both of
 * which would wait for the very transaction that waits for them) fails at once with a clear message.
 */
interface OpenTransaction {
  readonly owner: object;
  open: boolean;
}

const scope = new AsyncLocalStorage<readonly OpenTransaction[]>();

/** Runs fn marked as inside a transaction of owner; the mark lapses when the returned promise settles. */
export async function runInTransactionScope<R>(owner: object, fn: () => Promise<R>): Promise<R> {
  const entry: OpenTransaction = { owner, open: true };
  try {
    return await scope.run([...(scope.getStore() ?? []), entry], fn);
  } finally {
    entry.open = false;
  }
}

/** Throws when called (directly or through awaited calls) from inside an open transaction of owner. */
export function assertOutsideTransaction(owner: object, operation: string): void {
  if (scope.getStore()?.some((t) => t.owner === owner && t.open)) {
    throw new Error(
      `store.${operation}() was called inside a transaction of the same store; use the transaction's ` +
        'writer (the tx argument) instead: waiting for the store here would deadlock',
    );
  }
}
