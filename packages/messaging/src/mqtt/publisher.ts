import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { topics, type EventMap, type EventName } from '../events.ts';
import { PublishQueue } from '../publish-queue.ts';

/** One published event on its way to the broker. */
interface Outgoing {
  name: EventName;
  topic: string;
  body: string;
  deadline: number;
  /**
   * Connection id it was last sent on (0 = not sent, or its send failed). Connection ids only
   * grow, so an id of a previous connection never matches the current one.
   */
  sentOn: number;
  /** Acknowledged or dropped: out of the queue (set by {@link PublishQueue}). */
  settled: boolean;
  resolve: (delivered: boolean) => void;
}

/** Why an event was given up. */
export type DropReason = 'timeout' | 'closed';

export interface PublisherOptions {
  log: Logger;
  publisherTimeoutMs: number;
  maxInFlight: number;
  /** the broker URLs, for the error log of a dropped event */
  urls: () => string[];
  /** the URL of the current broker, for logs */
  currentUrl: () => string;
  /** the publish of an event failed on connection `id`: that connection is to be dropped */
  onPublishFailed: (id: number) => void;
  /** an event was dropped */
  onDrop: (info: { name: EventName; topic: string; reason: DropReason }) => void;
}

/**
 * The publishing side of the MQTT bus: events queued in call order, sent while a connection is
 * attached, at most `maxInFlight` awaiting their PUBACK; everything unacknowledged is sent again on
 * the next connection (at-least-once); an event not acknowledged within `publisherTimeoutMs` of its
 * `publish` call is dropped with an error log.
 */
export class Publisher {
  /** Published events not yet acknowledged nor dropped, in call order. */
  private readonly queue = new PublishQueue<Outgoing>();
  /** Events of `queue` sent on the current connection and awaiting their PUBACK. */
  private inFlight = 0;
  /** A microtask will call `pump` (see `schedulePump`). */
  private pumpScheduled = false;
  private drainWaiters: Array<() => void> = [];
  private deadlineTimer: NodeJS.Timeout | undefined;
  private client: MqttClient | undefined;
  private connectionId = 0;
  private closed = false;

  constructor(private readonly o: PublisherOptions) {}

  /** Number of published events not yet acknowledged (queued or in flight). */
  get size(): number {
    return this.queue.size;
  }

  /** Queues an event; resolves true once acknowledged, false when dropped. */
  publish<K extends EventName>(name: K, payload: EventMap[K]): Promise<boolean> {
    const topic = topics[name];
    return new Promise<boolean>((resolve) => {
      this.queue.push({ name, topic, body: JSON.stringify(payload), deadline: Date.now() + this.o.publisherTimeoutMs, sentOn: 0, settled: false, resolve });
      if (this.deadlineTimer === undefined) this.scheduleDeadline();
      this.pump();
    });
  }

  /** A connection is ready (subscriptions in place): everything unacknowledged goes out on it, oldest first. */
  attach(client: MqttClient, id: number): void {
    this.client = client;
    this.connectionId = id;
    this.queue.rewind();
    this.pump();
  }

  /**
   * The connection was lost. Entries sent on it keep its (now stale) id in `sentOn`; the queue is
   * rewound once the next connection is attached.
   */
  detach(): void {
    this.client = undefined;
    this.inFlight = 0;
  }

  /** Resolves once the queue is empty, or after `ms`. */
  async drained(ms: number): Promise<void> {
    if (ms <= 0 || this.queue.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.drainWaiters.push(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Drops everything still queued (resolved false) and stops the timers. */
  close(): void {
    this.closed = true;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    for (const entry of this.queue.clear()) this.drop(entry, 'closed');
    this.detach();
    this.releaseDrainWaiters();
  }

  /** Sends waiting events, oldest first, until `maxInFlight` await their PUBACK. O(1) per event. */
  private pump(): void {
    const client = this.client;
    if (client === undefined) return;
    const id = this.connectionId;
    while (this.inFlight < this.o.maxInFlight) {
      const entry = this.queue.takeNext();
      if (entry === undefined) break;
      entry.sentOn = id;
      this.inFlight++;
      client.publish(entry.topic, entry.body, { qos: 1 }, (error) => this.onPublished(entry, id, error));
    }
  }

  private onPublished(entry: Outgoing, id: number, error: Error | null | undefined): void {
    if (entry.settled || entry.sentOn !== id || id !== this.connectionId || this.client === undefined) return;
    this.inFlight--;
    if (error) {
      // Not delivered on this connection: reconnect (or fail over) and send it again there.
      this.o.log.warn({ event: entry.name, url: this.o.currentUrl(), err: error }, 'Publish failed: reconnecting to retry');
      entry.sentOn = 0;
      this.o.onPublishFailed(id);
      return;
    }
    this.queue.settle(entry);
    entry.resolve(true);
    if (this.queue.size === 0) this.releaseDrainWaiters();
    this.schedulePump();
  }

  /**
   * Pumps once the PUBACKs read in one go have all been handled (a microtask: mqtt.js handles
   * each received packet in its own `nextTick`), so their replacements go out together in one
   * corked write instead of one write system call each.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /**
   * Arms the deadline timer for the oldest event. Deadlines follow call order, so the timer fires
   * about once per `publisherTimeoutMs` while events are acknowledged in time.
   */
  private scheduleDeadline(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    const oldest = this.queue.peek();
    if (oldest === undefined || this.closed) return;
    const delay = Math.max(0, oldest.deadline - Date.now());
    this.deadlineTimer = setTimeout(() => this.expire(), delay);
  }

  /** Drops the events whose deadline passed: O(1) per dropped event. */
  private expire(): void {
    this.deadlineTimer = undefined;
    const now = Date.now();
    let dropped = 0;
    for (let entry = this.queue.peek(); entry !== undefined && entry.deadline <= now; entry = this.queue.peek()) {
      this.queue.settle(entry);
      if (this.client !== undefined && entry.sentOn === this.connectionId && this.inFlight > 0) this.inFlight--;
      this.drop(entry, 'timeout');
      dropped++;
    }
    if (dropped > 0 && this.queue.size === 0) this.releaseDrainWaiters();
    this.scheduleDeadline();
    this.pump();
  }

  /** Reports an event the queue gave up on (already settled there) and resolves it `false`. */
  private drop(entry: Outgoing, reason: DropReason): void {
    if (reason === 'timeout') {
      const timeoutMs = this.o.publisherTimeoutMs;
      this.o.log.error(
        { event: entry.name, topic: entry.topic, timeoutMs, urls: this.o.urls() },
        `Could not publish event to any of the provided message brokers before the timeout [${timeoutMs} ms] exceeded. The event will be dropped.`,
      );
    } else {
      this.o.log.warn({ event: entry.name, topic: entry.topic }, 'Message bus closed before the event was delivered: dropped');
    }
    this.o.onDrop({ name: entry.name, topic: entry.topic, reason });
    entry.resolve(false);
  }

  private releaseDrainWaiters(): void {
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }
}
