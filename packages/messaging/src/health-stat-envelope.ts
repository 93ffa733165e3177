/**
 * Reader for the envelope Stratos's CEP used on `summarized-health-stats`:
 * `{"org.apache.stratos.messaging.event.health.stat.<Event>": {"message": {...}}}` with every
 * value rendered as a string (orchestration.md §2.1, cartridge-agent.md §5.5).
 */
import type { EventMap } from './events.ts';
import { eventNameOfTopic } from './events.ts';
import type { HealthStatEvents } from './events/health-events.ts';

/** The MQTT topic Stratos's CEP published summarized health statistics to. */
export const summarizedHealthStatsTopic = 'summarized-health-stats';

const classPrefix = 'org.apache.stratos.messaging.event.';
const numericFields = new Set(['value', 'timestamp', 'servedCount', 'activeInstances', 'inFlightRequestCount']);

/** A decoded health statistic: event name and payload with numbers where numbers belong. */
export type DecodedHealthStat = {
  [K in keyof HealthStatEvents]: { name: K; payload: EventMap[K] };
}[keyof HealthStatEvents];

/**
 * Decodes one `summarized-health-stats` message (parsed JSON). Numeric strings in `value`,
 * `timestamp` and the other numeric fields become numbers. Returns `undefined` when the body is
 * not an envelope of a known health statistic event.
 */
export function decodeHealthStatEnvelope(body: unknown): DecodedHealthStat | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const entries = Object.entries(body);
  if (entries.length !== 1) return undefined;
  const [className, inner] = entries[0];
  if (!className.startsWith(`${classPrefix}health.stat.`)) return undefined;
  const name = eventNameOfTopic(className.slice(classPrefix.length));
  if (name === undefined) return undefined;
  const message = (inner as { message?: unknown } | null)?.message;
  if (typeof message !== 'object' || message === null) return undefined;
  const payload: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) {
    payload[key] = numericFields.has(key) && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
  }
  return { name, payload } as unknown as DecodedHealthStat;
}
