import { topicMatches, topics, eventNameOfTopic, type EventMap, type EventName, type EventsMatching } from './events.ts';

/** Handler of one event type. A returned promise is not awaited; its rejection is logged. */
export type EventHandler<K extends EventName> = (name: K, payload: EventMap[K]) => void | Promise<void>;

type MatchedNames<F extends string> = string extends F ? EventName : EventsMatching<F>;

/**
 * Handler of the events a topic filter matches; its arguments are a union discriminated by the
 * event name, so `if (name === 'MemberActivatedEvent')` narrows `payload`. Declare both
 * parameters (or none): TypeScript rejects a one-parameter arrow against a union of tuples.
 */
export type FilterHandler<F extends string> = (...args: { [K in MatchedNames<F>]: [name: K, payload: EventMap[K]] }[MatchedNames<F>]) => void | Promise<void>;

/** Removes a subscription's handler (and the MQTT subscription when it was the last one). */
export type Unsubscribe = () => Promise<void>;

/** Options of {@link MessageBus.close}. */
export interface CloseOptions {
  /**
   * How long to wait for queued events to be delivered before dropping them.
   * @default 0
   */
  drainTimeoutMs?: number;
}

/**
 * What strato's components need of a message bus: typed subscribe and publish on the Stratos event
 * catalogue. Two implementations: {@link MessageBus} on MQTT brokers (production, end-to-end tests)
 * and {@link InMemoryBus} in one process (fast in-process tests; no broker).
 */
export interface EventBus {
  /** Subscribes a handler to one event by name, or to every event a topic filter matches. */
  subscribe<K extends EventName>(name: K, handler: EventHandler<K>): Promise<Unsubscribe>;
  subscribe<F extends string>(filter: F, handler: FilterHandler<F>): Promise<Unsubscribe>;
  /** Publishes an event on its catalogue topic; resolves true once delivered to the broker. */
  publish<K extends EventName>(name: K, payload: EventMap[K]): Promise<boolean>;
  /** Events accepted by `publish` and not yet delivered. */
  readonly pendingCount: number;
  /** Whether published events reach the broker now (a publisher of statistics skips them while not). */
  readonly connected: boolean;
  close(options?: CloseOptions): Promise<void>;
}

type Handler = (name: EventName, payload: unknown) => void | Promise<void>;

/**
 * An EventBus inside one process, for tests: every bus attached to one {@link InMemoryBroker}
 * sees what any of them publishes, as with a real broker. Delivery is asynchronous (a later
 * macrotask), in publish order, and each payload goes through JSON as it would on the wire, so a
 * handler never shares an object with the publisher.
 */
export class InMemoryBroker {
  private readonly buses = new Set<InMemoryBus>();
  private readonly queue: { topic: string; name: EventName; body: string }[] = [];
  private scheduled = false;

  /** A new bus attached to this broker. */
  bus(): InMemoryBus {
    const bus = new InMemoryBus(this);
    this.buses.add(bus);
    return bus;
  }

  /** @internal */
  detach(bus: InMemoryBus): void {
    this.buses.delete(bus);
  }

  /** Events published and not yet delivered. */
  get pendingCount(): number {
    return this.queue.length;
  }

  /** @internal */
  enqueue(name: EventName, body: string): void {
    this.queue.push({ topic: topics[name], name, body });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.deliver());
    }
  }

  private deliver(): void {
    this.scheduled = false;
    for (const m of this.queue.splice(0)) {
      for (const bus of this.buses) bus.receive(m.topic, m.name, m.body);
    }
  }
}

/** One client of an {@link InMemoryBroker}. */
export class InMemoryBus implements EventBus {
  private readonly filters = new Map<string, Set<Handler>>();
  private closed = false;

  /** @internal use {@link InMemoryBroker.bus} */
  constructor(private readonly broker: InMemoryBroker) {}

  get pendingCount(): number {
    return this.broker.pendingCount;
  }

  /** Attached to its broker: true until closed. */
  get connected(): boolean {
    return !this.closed;
  }

  subscribe<K extends EventName>(name: K, handler: EventHandler<K>): Promise<Unsubscribe>;
  subscribe<F extends string>(filter: F, handler: FilterHandler<F>): Promise<Unsubscribe>;
  subscribe(nameOrFilter: string, handler: unknown): Promise<Unsubscribe> {
    const filter = Object.hasOwn(topics, nameOrFilter) ? topics[nameOrFilter as EventName] : nameOrFilter;
    const fn = handler as Handler;
    let set = this.filters.get(filter);
    if (!set) this.filters.set(filter, (set = new Set()));
    set.add(fn);
    return Promise.resolve(async () => {
      set.delete(fn);
      if (set.size === 0) this.filters.delete(filter);
    });
  }

  publish<K extends EventName>(name: K, payload: EventMap[K]): Promise<boolean> {
    if (this.closed || topics[name] === undefined) return Promise.resolve(false);
    this.broker.enqueue(name, JSON.stringify(payload));
    return Promise.resolve(true);
  }

  /** @internal */
  receive(topic: string, name: EventName, body: string): void {
    if (this.closed || eventNameOfTopic(topic) !== name) return;
    for (const [filter, handlers] of this.filters) {
      if (!topicMatches(filter, topic)) continue;
      for (const handler of handlers) {
        try {
          const r = handler(name, JSON.parse(body));
          if (r instanceof Promise) r.catch(() => undefined);
        } catch {
          // a throwing handler does not affect the others (as with MessageBus, which logs it)
        }
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.filters.clear();
    this.broker.detach(this);
  }
}
