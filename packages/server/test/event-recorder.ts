import mqtt, { type MqttClient } from 'mqtt';

export interface RecordedEvent {
  /** arrival order */
  seq: number;
  name: string;
  payload: any;
  at: number;
}

/**
 * A raw MQTT client subscribed to `#` on a broker, recording every catalogue event in arrival
 * order: what a test uses to see the system from outside, on the wire.
 */
export class EventRecorder {
  readonly events: RecordedEvent[] = [];
  private constructor(private readonly client: MqttClient) {}

  /** Connects to `url` with `credentials` (a server's `mbCredentials`: brokers refuse anonymous clients). */
  static async connect(url: string, credentials?: { username: string; password: string }): Promise<EventRecorder> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 4, clean: true, reconnectPeriod: 100, ...credentials });
    const recorder = new EventRecorder(client);
    client.on('message', (topic, message) => {
      let payload: unknown;
      try {
        payload = JSON.parse(message.toString('utf8'));
      } catch {
        payload = message.toString('utf8');
      }
      recorder.events.push({ seq: recorder.events.length, name: topic.split('/').pop()!, payload, at: Date.now() });
    });
    await client.subscribeAsync('#', { qos: 1 });
    return recorder;
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
    await this.client.endAsync(true);
  }
}
