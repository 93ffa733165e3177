/** Parsing of message broker addresses. */

/** A broker address the bus can connect to. */
export interface BrokerAddress {
  /** The URL as given (normalised to `mqtt://host:port`). */
  url: string;
  host: string;
  port: number;
}

/** The MQTT default port. */
export const defaultMqttPort = 1883;

/**
 * Parses `mqtt://host:port`, `tcp://host:port` or the agent's `host:port` form (`mb.urls`).
 * The port defaults to 1883. TLS and WebSocket brokers are not supported.
 */
export function parseBrokerUrl(text: string): BrokerAddress {
  const trimmed = text.trim();
  const withScheme = trimmed.includes('://') ? trimmed : `mqtt://${trimmed}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new Error(`Invalid message broker URL "${text}"`);
  }
  if (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'tcp:') {
    throw new Error(`Unsupported message broker protocol "${parsed.protocol}" in "${text}": use mqtt://host:port`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new Error(`Invalid message broker URL "${text}": no host`);
  const port = parsed.port === '' ? defaultMqttPort : Number(parsed.port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `mqtt://${urlHost}:${port}`, host, port };
}
