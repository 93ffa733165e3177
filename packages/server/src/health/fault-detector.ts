import type { Logger } from 'pino';
import type { RuntimeState } from '../topology/runtime-state.ts';

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
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly state: RuntimeState,
    private readonly options: {
      faultTimeout: () => number;
      checkInterval: () => number;
      onFault: (memberId: string) => void;
      log: Logger;
    },
  ) {}

  start(now = Date.now()): void {
    for (const m of this.state.members.values()) if (SERVING.has(m.status)) this.lastSeen.set(m.memberId, now);
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.check();
      this.schedule();
    }, this.options.checkInterval());
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A health statistic of a member arrived. */
  seen(memberId: string, now = Date.now()): void {
    if (this.state.members.has(memberId)) this.lastSeen.set(memberId, now);
  }

  /** Runs one check; returns the member ids reported faulty. */
  check(now = Date.now()): string[] {
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
