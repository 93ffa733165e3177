import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { eventNameOfTopic, topicMatches, type EventName } from '../events.ts';

type Handler = (name: EventName, payload: unknown) => void | Promise<void>;

interface FilterEntry {
  handlers: Set<Handler>;
  /** Connection id on which the broker acknowledged this filter (0 = none). */
  ackedOn: number;
  waiters: Array<() => void>;
}

/**
 * The receiving side of the MQTT bus: the topic filters and their handlers, kept across
 * connections and subscribed again on each; incoming messages dispatched to every matching
 * handler in arrival order.
 */
export class Subscriptions {
  private readonly filters = new Map<string, FilterEntry>();

  constructor(private readonly log: Logger) {}

  /** Every filter, for a new connection. */
  all(): string[] {
    return [...this.filters.keys()];
  }

  /** Filters not yet acknowledged on connection `id` (added while its subscriptions were in flight). */
  notAckedOn(id: number): string[] {
    return [...this.filters].filter(([, e]) => e.ackedOn !== id).map(([f]) => f);
  }

  /**
   * Adds a handler. `isNew`: the filter was not subscribed before. `acked` resolves once the
   * broker acknowledged the filter on connection `currentId` or a later one (at once if it
   * already has on the current one), or when the bus closes.
   */
  add(filter: string, handler: Handler, currentId: number): { isNew: boolean; acked: Promise<void> } {
    let entry = this.filters.get(filter);
    const isNew = entry === undefined;
    if (entry === undefined) {
      entry = { handlers: new Set(), ackedOn: 0, waiters: [] };
      this.filters.set(filter, entry);
    }
    entry.handlers.add(handler);
    if (entry.ackedOn !== 0 && entry.ackedOn === currentId) return { isNew, acked: Promise.resolve() };
    const waiters = entry.waiters;
    return { isNew, acked: new Promise<void>((resolve) => waiters.push(resolve)) };
  }

  /** Removes a handler; true when it was the filter's last one (the filter is then gone). */
  remove(filter: string, handler: Handler): boolean {
    const entry = this.filters.get(filter);
    if (entry === undefined || !entry.handlers.delete(handler) || entry.handlers.size > 0) return false;
    this.filters.delete(filter);
    for (const resolve of entry.waiters.splice(0)) resolve();
    return true;
  }

  /**
   * Subscribes `filters` (QoS 1) on connection `id`; `done(refused)` is told the broker's answer:
   * an error or the refused filters, or none (then the filters are acknowledged on `id`).
   */
  subscribeOn(client: MqttClient, id: number, filters: string[], done: (refused: { filters: string[]; error?: Error }) => void): void {
    const request = Object.fromEntries(filters.map((f) => [f, { qos: 1 as const }]));
    client.subscribe(request, (error, granted) => {
      const refused = granted?.filter((g) => g.qos === 128).map((g) => g.topic) ?? [];
      if (error === null && refused.length === 0) {
        for (const filter of filters) {
          const entry = this.filters.get(filter);
          if (entry === undefined) continue;
          entry.ackedOn = id;
          for (const resolve of entry.waiters.splice(0)) resolve();
        }
      }
      done({ filters: refused, ...(error !== null ? { error } : {}) });
    });
  }

  /** Releases every pending `acked` promise (the bus is closing). */
  releaseAll(): void {
    for (const entry of this.filters.values()) for (const resolve of entry.waiters.splice(0)) resolve();
  }

  /** Hands a message to every handler whose filter matches its topic. */
  dispatch(topic: string, message: Buffer): void {
    const name = eventNameOfTopic(topic);
    if (name === undefined) {
      this.log.debug({ topic }, 'Message on a topic outside the event catalogue: skipped');
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(message.toString('utf8'));
    } catch (error) {
      this.log.warn({ topic, err: error }, 'Message payload is not JSON: skipped');
      return;
    }
    for (const [filter, entry] of this.filters) {
      if (!topicMatches(filter, topic)) continue;
      for (const handler of entry.handlers) {
        try {
          const result = handler(name, payload);
          if (result instanceof Promise) {
            result.catch((error: unknown) => this.log.error({ event: name, topic, err: error }, 'Event handler failed'));
          }
        } catch (error) {
          this.log.error({ event: name, topic, err: error }, 'Event handler failed');
        }
      }
    }
  }
}
