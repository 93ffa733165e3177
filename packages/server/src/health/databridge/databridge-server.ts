/**
 * The databridge receiver: a TLS server (the databridge's secure port, Stratos's 7711) speaking
 * Thrift's binary protocol over a buffered transport to {@link DatabridgeService}. Connections that
 * close without a call (the agent's reachability probe and its unused first TLS connection) are
 * normal. A connection that sends bytes that are no Thrift message, or more than a message may
 * hold, is closed; one that stays silent for `idleTimeoutMs` too.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { DatabridgeService } from './databridge-service.ts';
import { DEFAULT_LIMITS, Incomplete, Malformed, readMessage } from './thrift-codec.ts';

export interface DatabridgeServerOptions {
  host: string;
  port: number;
  /** PEM key and certificate; none yet: handshakes fail until {@link DatabridgeServer.useTls} */
  tls: { key: string | Buffer; cert: string | Buffer } | undefined;
  service: DatabridgeService;
  log: Logger;
  /** a connection silent this long is closed, ms. @default 600000 */
  idleTimeoutMs?: number;
}

/** Connections held at once (an agent keeps one per receiver; more are refused). */
const MAX_CONNECTIONS = 10_000;

/** The largest message accepted (a bundle of the agent is a few hundred bytes). */
const MAX_MESSAGE = 4 << 20;

export class DatabridgeServer {
  private server: Server | undefined;
  private readonly sockets = new Set<TLSSocket>();

  constructor(private readonly o: DatabridgeServerOptions) {}

  /** Listens; resolves with the port (the one picked when `port` is 0). */
  async start(): Promise<number> {
    const server = createServer(this.o.tls ? { key: this.o.tls.key, cert: this.o.tls.cert } : {}, (socket) => this.serve(socket));
    // a failed handshake (a plain TCP probe, a client that gives up) is no error of the receiver
    server.maxConnections = MAX_CONNECTIONS;
    server.on('tlsClientError', (err) => this.o.log.debug({ err: err.message }, 'databridge TLS handshake failed'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.o.host, port: this.o.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.o.log.error({ err }, 'databridge receiver error'));
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  /** Sets (or replaces) the key and certificate; connections from now on use them. */
  useTls(tls: { key: string | Buffer; cert: string | Buffer }): void {
    this.server?.setSecureContext({ key: tls.key, cert: tls.cert });
  }

  private serve(socket: TLSSocket): void {
    this.sockets.add(socket);
    socket.setTimeout(this.o.idleTimeoutMs ?? 600_000, () => socket.destroy());
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        let parsed: ReturnType<typeof readMessage>;
        try {
          parsed = readMessage(pending, DEFAULT_LIMITS);
        } catch (e) {
          if (e instanceof Incomplete) {
            if (pending.length > MAX_MESSAGE) {
              this.o.log.warn({ remote: socket.remoteAddress, bytes: pending.length }, 'databridge connection closed: message too long');
              socket.destroy();
            }
            return;
          }
          this.o.log.warn(
            { remote: socket.remoteAddress, reason: e instanceof Malformed ? e.message : String(e) },
            'databridge connection closed: not a Thrift message',
          );
          socket.destroy();
          return;
        }
        pending = pending.subarray(parsed.length);
        let reply: Buffer | undefined;
        try {
          reply = this.o.service.handle(parsed.message);
        } catch (err) {
          this.o.log.error({ err, call: parsed.message.name }, 'databridge call failed');
          socket.destroy();
          return;
        }
        if (reply) socket.write(reply);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}
