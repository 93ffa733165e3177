import type { EventBus } from '@strato/messaging';
import mqtt from 'mqtt';

export interface RecordedEvent {
  /** arrival order */
  seq: number;
  name: string;
  payload: any;
  /** arrival time (epoch ms; the fake clock's time for a recorder on an in-memory bus of a fake-clock server) */
  at: number;
}

/**
 * Every catalogue event on a broker, recorded in arrival order: what a test uses to see the system
 * from outside. On an MQTT broker ({@link EventRecorder.connect}: a raw client subscribed to `#`,
 * the wire itself) or on an in-process one ({@link EventRecorder.attach}: a bus of an
 * InMemoryBroker subscribed to `#`).
 */
export class EventRecorder {
  readonly events: RecordedEvent[] = [];
  private constructor(private readonly disconnect: () => Promise<void>) {}

  /** Connects to `url` with `credentials` (a server's `mbCredentials`: brokers refuse anonymous clients). */
  static async connect(url: string, credentials?: { username: string; password: string }): Promise<EventRecorder> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 4, clean: true, reconnectPeriod: 100, ...credentials });
    const recorder = new EventRecorder(async () => void (await client.endAsync(true)));
    client.on('message', (topic, message) => {
      let payload: unknown;
      try {
        payload = JSON.parse(message.toString('utf8'));
      } catch {
        payload = message.toString('utf8');
      }
      recorder.record(topic.split('/').pop()!, payload, Date.now());
    });
    await client.subscribeAsync('#', { qos: 1 });
    return recorder;
  }

  /** Records what `bus` (e.g. a bus of an InMemoryBroker) receives, stamped with `now()`; closing the recorder closes the bus. */
  static async attach(bus: EventBus, now: () => number = Date.now): Promise<EventRecorder> {
    const recorder = new EventRecorder(() => bus.close());
    await bus.subscribe('#', (name, payload) => recorder.record(name, payload, now()));
    return recorder;
  }

  private record(name: string, payload: unknown, at: number): void {
    this.events.push({ seq: this.events.length, name, payload, at });
  }

  named(name: string, where: (payload: any) => boolean = () => true): RecordedEvent[] {
    return this.events.filter((e) => e.name === name && where(e.payload));
  }

  first(name: string, where: (payload: any) => boolean = () => true): RecordedEvent | undefined {
    return this.events.find((e) => e.name === name && where(e.payload));
  }

  clear(): void {
    this.events.length = 0;
  }

  async close(): Promise<void> {
    await this.disconnect();
  }
}
