import type { Cancel, Clock, Scheduler } from '@strato/model';

interface Task {
  seq: number;
  name: string;
  due: number;
  /** the period of an `every` task; undefined for `after` */
  period: number | undefined;
  fn: () => void;
}

/**
 * A clock and scheduler whose time moves only when a test says so: `advance(ms)` runs every task
 * that falls due on the way, in order of due time (then of scheduling), each at its own instant
 * (`now()` reads the task's due time while it runs). Tasks scheduled by running tasks run too if
 * they fall due within the advance. A task that throws propagates out of `advance`: a test sees it.
 */
export class FakeClock implements Clock, Scheduler {
  private time: number;
  private seq = 0;
  private readonly tasks = new Map<number, Task>();

  /** @param start epoch ms the clock starts at. @default 2026-01-01T00:00:00Z */
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  every(name: string, ms: number, fn: () => void): Cancel {
    if (!(ms > 0)) throw new Error(`FakeClock: the period of "${name}" must be positive, not ${ms}`);
    return this.add(name, ms, ms, fn);
  }

  after(name: string, ms: number, fn: () => void): Cancel {
    return this.add(name, Math.max(ms, 0), undefined, fn);
  }

  private add(name: string, delay: number, period: number | undefined, fn: () => void): Cancel {
    const seq = ++this.seq;
    this.tasks.set(seq, { seq, name, due: this.time + delay, period, fn });
    return () => void this.tasks.delete(seq);
  }

  /** Moves time forward by `ms`, running what falls due; returns the names of the tasks run. */
  advance(ms: number): string[] {
    if (!(ms >= 0)) throw new Error(`FakeClock: cannot advance by ${ms}`);
    const until = this.time + ms;
    const ran: string[] = [];
    for (;;) {
      const next = this.nextDue();
      if (!next || next.due > until) break;
      this.time = next.due;
      if (next.period === undefined) this.tasks.delete(next.seq);
      else next.due += next.period;
      ran.push(next.name);
      next.fn();
    }
    this.time = until;
    return ran;
  }

  /** Moves time to the next due task and runs everything due then; returns its names (none: []). */
  runNext(): string[] {
    const next = this.nextDue();
    return next ? this.advance(next.due - this.time) : [];
  }

  /** In how many ms the next task falls due (0: now); undefined when nothing is scheduled. */
  nextDueIn(): number | undefined {
    const next = this.nextDue();
    return next === undefined ? undefined : next.due - this.time;
  }

  /** What is scheduled, soonest first: `name@in-ms`. */
  pending(): string[] {
    return [...this.tasks.values()].sort(byDue).map((t) => `${t.name}@${t.due - this.time}`);
  }

  private nextDue(): Task | undefined {
    let best: Task | undefined;
    for (const t of this.tasks.values()) if (!best || byDue(t, best) < 0) best = t;
    return best;
  }
}

const byDue = (a: Task, b: Task) => a.due - b.due || a.seq - b.seq;
