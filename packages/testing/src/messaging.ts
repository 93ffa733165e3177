/**
 * @strato/testing/messaging — brokers for tests: real Mosquitto processes on free ports (with TLS
 * files when wanted), the in-memory broker of @strato/messaging for in-process tests, an event
 * recorder for either, and an in-memory pino logger.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { freePort } from './wait.ts';

export { InMemoryBroker, InMemoryBus, type EventBus } from '@strato/messaging';
export { EventRecorder, type RecordedEvent } from './event-recorder.ts';

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A Mosquitto process started by a test. */
export interface Mosquitto {
  port: number;
  url: string;
  /** Kills the process (SIGKILL: a crash) and waits for it to exit. */
  kill(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open but nothing answers. */
  pause(): void;
  /** Resumes a paused process. */
  resume(): void;
  /** Starts the process again on the same port. */
  restart(): Promise<void>;
  /** Makes Mosquitto read its password and ACL files again (SIGHUP). */
  reload(): void;
}

/** Options of {@link startMosquitto}. */
export interface MosquittoOptions {
  /**
   * Configuration lines replacing `allow_anonymous true` (e.g. `allow_anonymous false`,
   * `password_file ...`, `acl_file ...`); the listener and the other defaults stay.
   */
  config?: string[];
}

/**
 * Starts `mosquitto -c <config>` on `port` (a free one by default) with TCP_NODELAY and a large
 * queue, and waits until it accepts connections. Register `kill` with `t.after`.
 */
export async function startMosquitto(port?: number, options: MosquittoOptions = {}): Promise<Mosquitto> {
  const actualPort = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'strato-mosquitto-'));
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${actualPort} 127.0.0.1`,
      ...(options.config ?? ['allow_anonymous true']),
      'set_tcp_nodelay true',
      'max_queued_messages 100000',
      'persistence false',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    const proc = spawn('mosquitto', ['-c', config], { stdio: 'ignore' });
    child = proc;
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    let up = false;
    const deadline = Date.now() + 5_000;
    while (!up) {
      if (proc.exitCode !== null) throw new Error(`mosquitto exited with code ${proc.exitCode} on port ${actualPort}`);
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on port ${actualPort}`);
      up = await accepts(actualPort);
      if (!up) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc !== undefined && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
      await exited;
    }
  };

  await start();
  return {
    port: actualPort,
    url: `mqtt://127.0.0.1:${actualPort}`,
    async kill() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async restart() {
      await kill();
      await start();
    },
    reload: () => child?.kill('SIGHUP'),
  };
}

/** A pino logger writing JSON records into `records`. */
export function memoryLogger(level: pino.Level = 'debug'): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') records.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: pino({ level }, stream), records };
}

/** PEM files of a test CA and of a server certificate it signed for `localhost` and 127.0.0.1. */
export interface TlsFiles {
  dir: string;
  ca: string;
  cert: string;
  key: string;
}

/**
 * Writes a fresh CA and a server certificate (openssl) into a new directory readable by the
 * `mosquitto` user (Mosquitto started as root drops to it before reading them).
 */
export function makeTlsFiles(): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), 'strato-tls-'));
  const f = (name: string) => join(dir, name);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=strato test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    f('san.ext'),
    '-out',
    f('server.pem'),
  );
  chmodSync(dir, 0o755);
  for (const name of ['ca.pem', 'server.pem', 'server.key']) chmodSync(f(name), 0o644);
  return { dir, ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}
