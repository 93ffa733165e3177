/** Parsing of message broker addresses. */

/** A broker address the bus can connect to. */
export interface BrokerAddress {
  /**
   * The URL, normalised to `mqtt://host:port` or `mqtts://host:port`, with the user name but
   * never the password (`mqtt://strato:***@host:port`): safe to log.
   */
  url: string;
  /** `mqtts` connects over TLS. */
  protocol: 'mqtt' | 'mqtts';
  host: string;
  port: number;
  /** User name given in the URL (`mqtt://user:pass@host:port`), percent-decoded. */
  username?: string;
  /** Password given in the URL, percent-decoded. Never log it. */
  password?: string;
}

/** The MQTT default port. */
export const defaultMqttPort = 1883;
/** The MQTT over TLS default port. */
export const defaultMqttsPort = 8883;

/**
 * Parses `mqtt://host:port`, `tcp://host:port`, `mqtts://host:port` (TLS), `ssl://host:port`,
 * the agent's `host:port` form (`mb.urls`), each optionally with credentials
 * (`mqtt://user:password@host:port`, percent-encoded). The port defaults to 1883 (8883 for TLS).
 * WebSocket brokers are not supported. Error messages never contain the password.
 */
export function parseBrokerUrl(text: string): BrokerAddress {
  const trimmed = text.trim();
  const withScheme = trimmed.includes('://') ? trimmed : `mqtt://${trimmed}`;
  const shown = maskBrokerUrl(withScheme);
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new Error(`Invalid message broker URL "${shown}"`);
  }
  const tls = parsed.protocol === 'mqtts:' || parsed.protocol === 'ssl:';
  if (!tls && parsed.protocol !== 'mqtt:' && parsed.protocol !== 'tcp:') {
    throw new Error(`Unsupported message broker protocol "${parsed.protocol}" in "${shown}": use mqtt://host:port or mqtts://host:port`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new Error(`Invalid message broker URL "${shown}": no host`);
  const port = parsed.port === '' ? (tls ? defaultMqttsPort : defaultMqttPort) : Number(parsed.port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const protocol = tls ? 'mqtts' : 'mqtt';
  const username = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
  const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  const userInfo = username === undefined ? '' : `${encodeURIComponent(username)}${password === undefined ? '' : ':***'}@`;
  return {
    url: `${protocol}://${userInfo}${urlHost}:${port}`,
    protocol,
    host,
    port,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

/**
 * A broker URL as it may be logged: the password of `scheme://user:password@host` replaced by
 * `***`. Works on malformed URLs too: everything between the first `:` after the user name and
 * the last `@` is masked.
 */
export function maskBrokerUrl(text: string): string {
  return text.replace(/^((?:[a-z][a-z0-9+.-]*:\/\/)?[^:/@]*):.*@/is, '$1:***@');
}
