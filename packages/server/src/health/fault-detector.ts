import type { Cancel, Clock, Scheduler } from '@strato/model';
import type { Logger } from 'pino';
import type { RuntimeState } from '../runtime/runtime-state.ts';

/** Statuses in which a member sends health statistics. */
const SERVING: ReadonlySet<string> = new Set(['Active', 'In_Maintenance', 'ReadyToShutDown']);

/**
 * Member fault detection (orchestration.md §5.4, with spec/README.md's decision that health
 * statistics travel over MQTT): every health statistic of a member refreshes its timestamp; an
 * Active member silent for `faultTimeout` is reported faulty once per silence period. Timestamps
 * start at activation, and at "now" for members already Active when strato starts.
 */
export class FaultDetector {
  private readonly lastSeen = new Map<string, number>();
  private cancel: Cancel | undefined;

  constructor(
    private readonly state: RuntimeState,
    private readonly options: {
      faultTimeout: () => number;
      checkInterval: () => number;
      onFault: (memberId: string) => void;
      clock: Clock;
      scheduler: Scheduler;
      log: Logger;
    },
  ) {}

  start(now = this.options.clock.now()): void {
    for (const m of this.state.members.values()) if (SERVING.has(m.status)) this.lastSeen.set(m.memberId, now);
    this.schedule();
  }

  private schedule(): void {
    this.cancel = this.options.scheduler.after('member fault check', this.options.checkInterval(), () => {
      this.check();
      this.schedule();
    });
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  /** A health statistic of a member arrived. */
  seen(memberId: string, now = this.options.clock.now()): void {
    if (this.state.members.has(memberId)) this.lastSeen.set(memberId, now);
  }

  /** Runs one check; returns the member ids reported faulty. */
  check(now = this.options.clock.now()): string[] {
    const faulty: string[] = [];
    const timeout = this.options.faultTimeout();
    for (const [memberId, at] of this.lastSeen) {
      const m = this.state.members.get(memberId);
      if (!m) {
        this.lastSeen.delete(memberId);
        continue;
      }
      // a member being drained is watched too: a silent one will never answer its cleanup request
      if (!SERVING.has(m.status) || m.disposition === 'obsolete') continue;
      if (now - at > timeout) {
        this.lastSeen.delete(memberId);
        faulty.push(memberId);
      }
    }
    for (const id of faulty) this.options.onFault(id);
    return faulty;
  }
}
