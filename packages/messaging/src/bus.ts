/**
 * `MessageBus`: the one MQTT connection a strato process (control plane or cartridge agent) uses
 * for every event it sends and receives. This file holds the connection and its failover; the
 * subscriptions (mqtt/subscriptions.ts) and the publishing queue (mqtt/publisher.ts) are its parts.
 *
 * Semantics (orchestration.md §2, cartridge-agent.md §3.3, stack.md traps 2 and 3):
 * - MQTT 3.1.1 (`protocolVersion: 4`, what aedes speaks), clean session, QoS 1 both ways, a
 *   TCP_NODELAY socket per connection.
 * - Broker list failover: the bus connects to `urls` in order. When a connection is lost or a
 *   connect fails it moves to the next URL at once, wrapping around; after a whole round of
 *   failures it waits the next retry interval (Stratos agent back-off 2, 2, 5, 5, 10 … 60 s) and
 *   starts another round. A liveness check pings the broker every `livenessIntervalMs` and
 *   drops a connection whose previous ping went unanswered (Stratos 4.1.6 heartbeat).
 * - Subscriptions are remembered and re-established on every new connection; `connect` is
 *   emitted once they are all acknowledged.
 * - Publishing is queued in call order. Events are sent once the bus is connected, at most
 *   `maxInFlight` awaiting their PUBACK; an event whose connection is lost before its PUBACK is
 *   sent again on the next connection (at-least-once). An event not acknowledged within
 *   `publisherTimeoutMs` of its `publish` call is dropped with an error log.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { connect as netConnect, isIP } from 'node:net';
import { MqttClient } from 'mqtt';
import { pino, type Logger } from 'pino';
import { parseBrokerUrl, type BrokerAddress } from './broker-url.ts';
import type { CloseOptions, EventBus, EventHandler, FilterHandler, Unsubscribe } from './event-bus.ts';
export type { CloseOptions, EventHandler, FilterHandler, Unsubscribe };
import { topics, type EventMap, type EventName } from './events.ts';
import { Publisher } from './mqtt/publisher.ts';
import { Subscriptions } from './mqtt/subscriptions.ts';

/**
 * node:crypto and node:tls are loaded when first needed (a random client id, an `mqtts://`
 * broker): a cartridge agent on a plain broker with its own client id never loads them (a few MB
 * less resident memory).
 */
const requireBuiltin = createRequire(import.meta.url);
const tls = (): typeof import('node:tls') => requireBuiltin('node:tls');
const randomHex = (bytes: number): string => (requireBuiltin('node:crypto') as typeof import('node:crypto')).randomBytes(bytes).toString('hex');

/**
 * Stratos's agent back-off between two rounds over the broker list, in milliseconds
 * (cartridge-agent.md §3.3: 2, 2, 5, 5, 10, 10, 20, 20, 30, 30, 40, 40, 50, 50, 60 s, then 60 s).
 */
export const stratosRetryIntervalsMs: readonly number[] = Object.freeze([2, 2, 5, 5, 10, 10, 20, 20, 30, 30, 40, 40, 50, 50, 60].map((s) => s * 1000));

/** Options of {@link MessageBus}. All durations are in milliseconds. */
export interface MessageBusOptions {
  /**
   * Broker list, tried in order (`mqtt://host:port`, `tcp://host:port`, `host:port`, or
   * `mqtts://host:port` over TLS), each optionally with credentials `mqtt://user:password@host:port`
   * (which override `username` / `password` for that broker). Logs show URLs without passwords.
   */
  urls: readonly string[];
  /**
   * MQTT client id (at most 23 characters for strict MQTT 3.1.1 brokers).
   * @default `strato-` followed by 16 random hex digits
   */
  clientId?: string;
  /**
   * Structured logger; the bus logs through a child with `component: 'message-bus'`.
   * @default a silent pino logger
   */
  logger?: Logger;
  /**
   * How long a published event is retried (from its `publish` call) before it is dropped:
   * Stratos's `mb.publisher.timeout` of 900 s.
   * @default 900_000
   */
  publisherTimeoutMs?: number;
  /**
   * Wait between two rounds over the broker list after every URL failed: one number, or a
   * back-off list whose last entry repeats. Reset by every successful connection.
   * @default stratosRetryIntervalsMs (2 s, 2 s, 5 s, 5 s, 10 s … 60 s)
   */
  retryIntervalMs?: number | readonly number[];
  /**
   * Period of the liveness check: a PINGREQ is sent each period, and a connection whose previous
   * ping got no PINGRESP is dropped (then the bus fails over). Stratos 4.1.6 checks every 5 s.
   * @default 5_000
   */
  livenessIntervalMs?: number;
  /**
   * How long a connect attempt (TCP + CONNACK) may take before the next URL is tried.
   * @default 10_000
   */
  connectTimeoutMs?: number;
  /**
   * MQTT keep-alive sent in CONNECT, in seconds (paho's default, as the Stratos agent used).
   * @default 60
   */
  keepaliveSeconds?: number;
  /**
   * At most this many published events await their PUBACK at once; the rest wait in the queue
   * (Mosquitto queues at most 1000 messages per client by default).
   * @default 100
   */
  maxInFlight?: number;
  /** Broker user name (`mb.username`). */
  username?: string;
  /** Broker password (`mb.password`). */
  password?: string;
  /**
   * Trusted CA certificates (PEM) for `mqtts://` brokers; unset: Node's default CAs. The broker's
   * certificate must name the URL's host.
   */
  ca?: string | Buffer | Array<string | Buffer>;
}

/** Events emitted by {@link MessageBus}. */
export interface MessageBusEvents {
  /** Connected to `url` and every subscription re-established. */
  connect: [info: { url: string }];
  /** The established connection to `url` was lost. */
  disconnect: [info: { url: string }];
  /** A connection to `from` was lost or failed; the bus moves on to `to`. */
  failover: [info: { from: string; to: string }];
  /** An event was dropped (publisher timeout, or the bus was closed before delivering it). */
  drop: [info: { name: EventName; topic: string; reason: 'timeout' | 'closed' }];
}

type State = 'connecting' | 'subscribing' | 'connected' | 'waiting' | 'closed';

/**
 * The MQTT message bus. Construct it, `subscribe`, `publish`; it connects on construction and
 * keeps reconnecting until `close()`.
 */
export class MessageBus implements EventBus {
  readonly clientId: string;
  private readonly brokers: readonly BrokerAddress[];
  private readonly log: Logger;
  private readonly publisherTimeoutMs: number;
  private readonly retryIntervalsMs: readonly number[];
  private readonly livenessIntervalMs: number;
  private readonly connectTimeoutMs: number;
  private readonly keepaliveSeconds: number;
  private readonly username: string | undefined;
  private readonly password: string | undefined;
  private readonly ca: MessageBusOptions['ca'];
  private readonly emitter = new EventEmitter();

  private state: State = 'connecting';
  private client: MqttClient | undefined;
  private connectionId = 0;
  private brokerIndex = 0;
  private connectedAt = 0;
  private failuresInRound = 0;
  private retryStep = 0;
  private pingSentAt = 0;
  private pongAt = 0;

  private readonly subscriptions: Subscriptions;
  private readonly publisher: Publisher;

  private retryTimer: NodeJS.Timeout | undefined;
  private readonly livenessTimer: NodeJS.Timeout;

  constructor(options: MessageBusOptions) {
    if (options.urls.length === 0) throw new Error('MessageBus needs at least one broker URL');
    this.brokers = options.urls.map(parseBrokerUrl);
    this.clientId = options.clientId ?? `strato-${randomHex(8)}`;
    this.log = (options.logger ?? pino({ enabled: false })).child({
      component: 'message-bus',
      clientId: this.clientId,
    });
    this.publisherTimeoutMs = options.publisherTimeoutMs ?? 900_000;
    const retry = options.retryIntervalMs ?? stratosRetryIntervalsMs;
    this.retryIntervalsMs = typeof retry === 'number' ? [retry] : retry.length > 0 ? retry : [0];
    this.livenessIntervalMs = options.livenessIntervalMs ?? 5_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.keepaliveSeconds = options.keepaliveSeconds ?? 60;
    this.username = options.username;
    this.password = options.password;
    this.ca = options.ca;
    this.subscriptions = new Subscriptions(this.log);
    this.publisher = new Publisher({
      log: this.log,
      publisherTimeoutMs: this.publisherTimeoutMs,
      maxInFlight: Math.max(1, options.maxInFlight ?? 100),
      urls: () => this.brokers.map((b) => b.url),
      currentUrl: () => this.currentUrl,
      onPublishFailed: (id) => this.dropConnection(id),
      onDrop: (info) => this.emitter.emit('drop', info),
    });
    this.livenessTimer = setInterval(() => this.checkLiveness(), this.livenessIntervalMs);
    this.connect();
  }

  /** Whether the bus is connected and its subscriptions are established. */
  get connected(): boolean {
    return this.state === 'connected';
  }

  /** The URL of the broker the bus is connected or connecting to. */
  get currentUrl(): string {
    return this.brokers[this.brokerIndex].url;
  }

  /** Number of published events not yet acknowledged (queued or in flight). */
  get pendingCount(): number {
    return this.publisher.size;
  }

  /** Registers a listener for a bus event ('connect', 'disconnect', 'failover', 'drop'). */
  on<E extends keyof MessageBusEvents>(event: E, listener: (...args: MessageBusEvents[E]) => void): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Registers a one-time listener for a bus event. */
  once<E extends keyof MessageBusEvents>(event: E, listener: (...args: MessageBusEvents[E]) => void): this {
    this.emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Removes a listener registered with `on` or `once`. */
  off<E extends keyof MessageBusEvents>(event: E, listener: (...args: MessageBusEvents[E]) => void): this {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /**
   * Subscribes a handler to one event (by name) or to every catalogue event a topic filter
   * matches (`topology/#`, `instance/+/InstanceStartedEvent`, ...).
   *
   * The subscription is kept across reconnects and failovers. The promise resolves once the
   * broker has acknowledged it (SUBACK), possibly after a later (re)connect, or at `close()`.
   * Messages on topics outside the catalogue, or whose payload is not JSON, are logged and
   * skipped. Handlers run in arrival order; a throwing handler is logged and does not affect
   * the others. Overlapping filters may make a broker deliver one message once per filter.
   */
  subscribe<K extends EventName>(name: K, handler: EventHandler<K>): Promise<Unsubscribe>;
  subscribe<F extends string>(filter: F, handler: FilterHandler<F>): Promise<Unsubscribe>;
  subscribe(nameOrFilter: string, handler: unknown): Promise<Unsubscribe> {
    const filter = Object.hasOwn(topics, nameOrFilter) ? topics[nameOrFilter as EventName] : nameOrFilter;
    const fn = handler as (name: EventName, payload: unknown) => void | Promise<void>;
    const unsubscribe: Unsubscribe = () => this.removeHandler(filter, fn);
    if (this.state === 'closed') return Promise.resolve(unsubscribe);
    const { isNew, acked } = this.subscriptions.add(filter, fn, this.connectionId);
    // On a live connection a new filter is subscribed now; otherwise at the next (re)connect.
    if (isNew && this.state === 'connected') this.sendSubscribe([filter], this.connectionId);
    return acked.then(() => unsubscribe);
  }

  /**
   * Publishes an event (QoS 1) to its catalogue topic.
   *
   * Never rejects: resolves `true` once the broker acknowledged the event (PUBACK), `false`
   * when it was dropped (not acknowledged within `publisherTimeoutMs`, logged as an error; or
   * the bus was closed first). Events from one bus go out in call order.
   */
  publish<K extends EventName>(name: K, payload: EventMap[K]): Promise<boolean> {
    const topic = topics[name];
    if (topic === undefined) {
      this.log.error({ event: name }, 'Cannot publish an event outside the catalogue');
      return Promise.resolve(false);
    }
    if (this.state === 'closed') {
      this.log.warn({ event: name, topic }, 'Message bus closed: the event will be dropped');
      return Promise.resolve(false);
    }
    return this.publisher.publish(name, payload);
  }

  /**
   * Stops the bus: waits up to `drainTimeoutMs` for queued events, drops the rest (their
   * promises resolve `false`), releases pending `subscribe` promises, disconnects and clears
   * every timer. Idempotent.
   */
  async close(options: CloseOptions = {}): Promise<void> {
    if (this.state === 'closed') return;
    await this.publisher.drained(options.drainTimeoutMs ?? 0);
    // close() may have been called again while draining.
    if ((this.state as State) === 'closed') return;
    this.state = 'closed';
    clearInterval(this.livenessTimer);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.publisher.close();
    this.subscriptions.releaseAll();
    const client = this.client;
    this.client = undefined;
    this.connectionId++;
    if (client !== undefined) await endClient(client);
    this.log.debug('Message bus closed');
  }

  // ---------------------------------------------------------------- connection management

  private connect(): void {
    if (this.state === 'closed') return;
    this.retryTimer = undefined;
    this.state = 'connecting';
    const id = ++this.connectionId;
    const broker = this.brokers[this.brokerIndex];
    this.log.debug({ url: broker.url }, 'Connecting to the message broker');
    const client = new MqttClient(
      () =>
        broker.protocol === 'mqtts'
          ? tls()
              .connect({
                host: broker.host,
                port: broker.port,
                ...(isIP(broker.host) === 0 ? { servername: broker.host } : {}),
                ...(this.ca !== undefined ? { ca: this.ca } : {}),
              })
              .setNoDelay(true)
          : netConnect({ host: broker.host, port: broker.port, noDelay: true }),
      {
        protocolVersion: 4,
        clientId: this.clientId,
        clean: true,
        keepalive: this.keepaliveSeconds,
        connectTimeout: this.connectTimeoutMs,
        reconnectPeriod: 0,
        resubscribe: false,
        // no pre-generated table of 65,536 two-byte Buffers (6 MB of heap) for packet numbers
        writeCache: false,
        username: broker.username ?? this.username,
        password: broker.username !== undefined ? broker.password : this.password,
      },
    );
    this.client = client;
    client.on('error', (error) => {
      if (id === this.connectionId) this.log.debug({ url: broker.url, err: error }, 'Message broker connection error');
    });
    client.on('connect', () => this.onConnected(id));
    client.on('close', () => this.onClosed(id));
    client.on('message', (topic, message) => {
      if (id === this.connectionId) this.subscriptions.dispatch(topic, message);
    });
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'pingresp' && id === this.connectionId) this.pongAt = Date.now();
    });
  }

  private onConnected(id: number): void {
    if (id !== this.connectionId || this.state !== 'connecting') return;
    const url = this.currentUrl;
    this.state = 'subscribing';
    this.connectedAt = Date.now();
    this.pingSentAt = 0;
    this.pongAt = 0;
    this.log.info({ url }, `Connected to the message broker with address ${hostPort(this.brokers[this.brokerIndex])}`);
    const filters = this.subscriptions.all();
    if (filters.length === 0) this.onReady(id);
    else this.sendSubscribe(filters, id);
  }

  private sendSubscribe(filters: string[], id: number): void {
    const client = this.client;
    if (client === undefined) return;
    this.subscriptions.subscribeOn(client, id, filters, (refused) => {
      if (id !== this.connectionId) return;
      if (refused.error !== undefined || refused.filters.length > 0) {
        this.log.error(
          { url: this.currentUrl, filters, refused: refused.filters, err: refused.error },
          'The message broker refused a subscription: reconnecting',
        );
        this.dropConnection(id);
        return;
      }
      if (this.state === 'subscribing') this.onReady(id);
    });
  }

  private onReady(id: number): void {
    // Filters added while the resubscription was in flight are subscribed now.
    const late = this.subscriptions.notAckedOn(id);
    if (late.length > 0) {
      this.sendSubscribe(late, id);
      return;
    }
    this.state = 'connected';
    // Everything unacknowledged goes out again on this connection, oldest first.
    this.publisher.attach(this.client!, id);
    this.emitter.emit('connect', { url: this.currentUrl });
  }

  private onClosed(id: number): void {
    if (id !== this.connectionId || this.state === 'closed') return;
    const failed = this.brokers[this.brokerIndex];
    const wasConnected = this.state === 'subscribing' || this.state === 'connected';
    const client = this.client;
    this.client = undefined;
    this.connectionId++;
    if (client !== undefined) client.end(true);
    this.publisher.detach();
    if (wasConnected) {
      this.log.warn({ url: failed.url }, `Disconnected from the message broker ${hostPort(failed)}. Reconnecting...`);
      this.emitter.emit('disconnect', { url: failed.url });
    } else {
      this.log.info({ url: failed.url }, `Could not connect to the message broker at ${hostPort(failed)}.`);
    }
    // A connection that stayed up at least one retry interval starts a fresh round; one that was
    // dropped at once counts as a failure, so a broker that accepts and drops cannot make us spin.
    const stable = wasConnected && Date.now() - this.connectedAt >= this.retryIntervalsMs[0];
    if (stable) {
      this.failuresInRound = 0;
      this.retryStep = 0;
    }
    this.failuresInRound++;
    this.brokerIndex = (this.brokerIndex + 1) % this.brokers.length;
    if (this.brokers.length > 1) this.emitter.emit('failover', { from: failed.url, to: this.currentUrl });
    this.state = 'waiting';
    let delay = 0;
    if (this.failuresInRound >= this.brokers.length) {
      delay = this.retryIntervalsMs[Math.min(this.retryStep, this.retryIntervalsMs.length - 1)];
      this.retryStep++;
      this.failuresInRound = 0;
      this.log.error(
        { urls: this.brokers.map((b) => b.url), retryInMs: delay },
        `Could not connect to any of the message brokers provided. Retrying in ${delay / 1000} seconds.`,
      );
    }
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Drops the current connection; the 'close' handling then fails over. */
  private dropConnection(id: number): void {
    if (id !== this.connectionId) return;
    const client = this.client;
    if (client === undefined) return;
    // end(true) destroys the stream; its 'close' event reaches onClosed (same id).
    client.end(true);
    // If the stream was already closed no further 'close' comes: handle it here.
    setImmediate(() => this.onClosed(id));
  }

  private checkLiveness(): void {
    if (this.state !== 'connected' || this.client === undefined) return;
    if (this.pingSentAt !== 0 && this.pongAt < this.pingSentAt) {
      const broker = this.brokers[this.brokerIndex];
      this.log.warn({ url: broker.url }, `Message broker ${hostPort(broker)} cannot be reached. Disconnecting client...`);
      this.dropConnection(this.connectionId);
      return;
    }
    this.pingSentAt = Date.now();
    this.client.sendPing();
  }

  private async removeHandler(filter: string, handler: (name: EventName, payload: unknown) => void | Promise<void>): Promise<void> {
    if (!this.subscriptions.remove(filter, handler)) return;
    const client = this.client;
    if (client !== undefined && (this.state === 'connected' || this.state === 'subscribing')) {
      await new Promise<void>((resolve) => client.unsubscribe(filter, () => resolve()));
    }
  }
}

function hostPort(broker: BrokerAddress): string {
  return `${broker.host}:${broker.port}`;
}

/** Disconnects politely when possible, otherwise destroys the socket; never hangs. */
function endClient(client: MqttClient): Promise<void> {
  return new Promise<void>((resolve) => {
    const polite = client.connected && Object.keys(client.outgoing).length === 0;
    const timer = setTimeout(() => {
      client.stream?.destroy();
      resolve();
    }, 1_000);
    client.end(!polite, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
