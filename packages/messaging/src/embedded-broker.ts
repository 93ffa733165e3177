/**
 * An MQTT 3.1.1 broker inside the process (aedes 1.2 on a TCP server), for single-process
 * deployments and tests. Every accepted socket gets TCP_NODELAY (stack.md trap 2). With `auth`
 * it knows who is talking: anonymous clients and wrong credentials are refused, and every publish
 * and subscription is checked ({@link BrokerAuthority}); strato's server always passes one.
 */
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import type { BrokerAuthority } from './broker-auth.ts';

/** Options of {@link startEmbeddedBroker}. */
export interface EmbeddedBrokerOptions {
  /**
   * Address to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * TCP port; 0 picks a free port.
   * @default 0
   */
  port?: number;
  /**
   * Who may connect, publish and subscribe. Unset: every client may do anything (only for tests
   * of the bus itself; strato's server always sets it).
   */
  auth?: BrokerAuthority;
}

/** A running embedded broker. */
export interface EmbeddedBroker {
  /** `mqtt://host:port`, ready for `MessageBus` `urls`. */
  url: string;
  /** The port actually bound. */
  port: number;
  /** Disconnects every client and stops listening. */
  close(): Promise<void>;
}

/** Starts an embedded aedes broker listening on `host:port`. */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const broker = await Aedes.createBroker(options.auth === undefined ? {} : { ...options.auth.aedesHooks() });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `mqtt://${urlHost}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await serverClosed;
      })();
      return closing;
    },
  };
}
