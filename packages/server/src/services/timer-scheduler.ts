import type { Cancel, Scheduler } from '@strato/model';
import type { Logger } from 'pino';

/**
 * The Scheduler of a running server, on Node's timers: the one place in the server with raw
 * timers. Timers are unref'd (a scheduled task never keeps the process alive), a period below
 * 10 ms is raised to 10 ms, and a task that throws is logged with its name.
 */
export class TimerScheduler implements Scheduler {
  constructor(private readonly log?: Logger) {}

  every(name: string, ms: number, fn: () => void): Cancel {
    const timer = setInterval(() => this.run(name, fn), Math.max(ms, 10));
    timer.unref();
    return () => clearInterval(timer);
  }

  after(name: string, ms: number, fn: () => void): Cancel {
    const timer = setTimeout(() => this.run(name, fn), Math.max(ms, 0));
    timer.unref();
    return () => clearTimeout(timer);
  }

  private run(name: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log?.error({ err, task: name }, 'scheduled task failed');
    }
  }
}
