import type { Logger } from 'pino';

/** At most this many tasks share one transaction (group commit). */
const MAX_BATCH = 256;

/**
 * The one serial worker of the control plane. Every change to the runtime state happens in a task
 * run here, one at a time. Tasks run in batches: after a batch the state is flushed to the store in
 * one transaction (group commit), and only then are the batch's events published and its IaaS calls
 * started ("announce only what is persisted"). Reconciliation
 * requests are coalesced: asking twice for the same application before it runs reconciles it once.
 */
export class ControlLoop {
  private readonly queue: (() => void)[] = [];
  private readonly reconcileRequests = new Set<string>();
  private running = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private afterCommit: (() => void)[] = [];
  private onAbort: ((err: unknown) => void)[] = [];

  constructor(
    private readonly flush: () => Promise<void>,
    private readonly reconcile: (appId: string) => void,
    private readonly log: Logger,
  ) {}

  /**
   * Runs a task in the loop. A task is a synchronous change of state: it never waits on I/O (which
   * could wait on the loop in turn); what it wants done outside goes to `onCommit`.
   */
  submit(task: () => void): void {
    if (this.stopped) return;
    this.queue.push(task);
    this.kick();
  }

  /** Asks for one reconciliation of an application (coalesced). */
  requestReconcile(appId: string): void {
    if (this.stopped) return;
    this.reconcileRequests.add(appId);
    this.kick();
  }

  /**
   * Runs fn once the current task's changes are committed (events, IaaS calls); `failed`, if
   * given, is told when they could not be persisted (then fn never runs).
   */
  onCommit(fn: () => void, failed?: (err: unknown) => void): void {
    this.afterCommit.push(fn);
    if (failed) this.onAbort.push(failed);
  }

  /** Resolves when nothing is queued (for orderly shutdown and tests). */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0 && this.reconcileRequests.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.reconcileRequests.clear();
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped) {
        let ran = 0;
        // a batch: tasks first, then reconciliations, until nothing is left or the batch is full
        while (!this.stopped && ran < MAX_BATCH) {
          const task = this.queue.shift();
          if (task) {
            this.runTask(task);
            ran++;
            continue;
          }
          const next = this.reconcileRequests.values().next();
          if (next.done) break;
          this.reconcileRequests.delete(next.value);
          const appId = next.value;
          this.runTask(() => this.reconcile(appId));
          ran++;
        }
        if (ran === 0) break;
        await this.commit();
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
      if (!this.stopped && (this.queue.length > 0 || this.reconcileRequests.size > 0)) this.kick();
    }
  }

  private runTask(task: () => void): void {
    try {
      const r: unknown = task();
      if (r instanceof Promise) {
        // a task that waits would hold the loop across layers: refused loudly (a programming error)
        this.log.error({ stack: new Error('asynchronous loop task').stack }, 'a control loop task returned a promise; tasks must be synchronous');
        r.catch((e: unknown) => this.log.error({ err: e }, 'control loop task failed'));
      }
    } catch (e) {
      this.log.error({ err: e }, 'control loop task failed');
    }
  }

  /** Persists the batch's changes in one transaction, then runs its effects. */
  private async commit(): Promise<void> {
    const aborts = this.onAbort;
    this.onAbort = [];
    try {
      await this.flush();
    } catch (e) {
      this.log.error({ err: e }, 'could not persist the runtime state; retrying with the next batch');
      this.afterCommit = [];
      for (const fn of aborts) fn(e);
      return;
    }
    const effects = this.afterCommit;
    this.afterCommit = [];
    for (const fn of effects) {
      try {
        fn();
      } catch (e) {
        this.log.error({ err: e }, 'post-commit effect failed');
      }
    }
  }
}
