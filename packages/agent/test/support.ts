/**
 * Test support for strato-agent: member directories (agent.conf, payload/launch-params,
 * extension scripts), the agent as a real process (the esbuild bundle, built once per test file),
 * its logs, and a small control plane on a real broker that answers the agent as Stratos's cloud
 * controller does (complete topology on request, Instance* → Member* events).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageBus } from '@strato/messaging/bus.ts';
import type { EventName } from '@strato/messaging/events.ts';
import type { MemberStatus } from '@strato/messaging/wire/topology.ts';
import { waitFor as waitUntil } from '@strato/testing';
// @ts-expect-error: a plain JavaScript build script
import { buildAgent } from '../build.mjs';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let bundle: Promise<string> | undefined;
/** The agent bundle, built once per test file into a temporary directory. */
export function agentBundle(): Promise<string> {
  bundle ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strato-agent-bundle-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return (await buildAgent(join(dir, 'strato-agent.cjs'))) as string;
  })();
  return bundle;
}

/** Polls until `check` returns a truthy value (20 s by default, 20 ms steps). */
export function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  return waitUntil(what, check, { timeoutMs, everyMs: 20 });
}

/** The identity of a test member. */
export const MEMBER = {
  APPLICATION_ID: 'app-1',
  SERVICE_NAME: 'php',
  CLUSTER_ID: 'app-1.my-php.php.domain',
  CLUSTER_INSTANCE_ID: 'app-1-1',
  MEMBER_ID: 'app-1.my-php.php.domain0b9a6c2e-0d7c-4f5e-9a55-6f1c2b3d4e5f',
  NETWORK_PARTITION_ID: 'np-1',
  PARTITION_ID: 'p-1',
  MULTITENANT: 'false',
  TENANT_ID: '-1234',
  CARTRIDGE_ALIAS: 'my-php',
  REPO_URL: 'null',
} as const;

/** A member's working directory with agent.conf, launch-params and extension scripts. */
export interface MemberDir {
  dir: string;
  /** Writes `extensions/bash/<name>.sh` (executable). */
  script(name: string, body: string): void;
  remove(): void;
}

/** `conf`: agent.conf options ([agent]); `params`: launch parameters (joined as KEY=value,...). */
export function memberDir(conf: Record<string, string | number | boolean>, params: Record<string, string>): MemberDir {
  const dir = mkdtempSync(join(tmpdir(), 'strato-agent-member-'));
  writeFileSync(join(dir, 'agent.conf'), ['[agent]', ...Object.entries(conf).map(([k, v]) => `${k} = ${v}`), ''].join('\n'));
  mkdirSync(join(dir, 'payload'));
  writeFileSync(
    join(dir, 'payload', 'launch-params'),
    Object.entries(params)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  );
  mkdirSync(join(dir, 'extensions', 'bash'), { recursive: true });
  return {
    dir,
    script(name, body) {
      const file = join(dir, 'extensions', 'bash', `${name}.sh`);
      writeFileSync(file, `#!/bin/sh\n${body}\n`);
      chmodSync(file, 0o755);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** agent.conf options for fast tests against `urls` (host:port list). */
export function fastConf(mbUrls: string, extra: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  return {
    'mb.urls': mbUrls,
    'mb.publisher.timeout': 30,
    'listen.address': '127.0.0.1',
    'port.check.timeout': 20_000,
    'port.check.interval': 50,
    'thrift.receiver.urls': '127.0.0.1:7711',
    'thrift.server.admin.username': 'admin',
    'thrift.server.admin.password': 'admin',
    'cep.stats.publisher.enabled': true,
    'stats.notifier.interval': 1,
    'log.level': 'debug',
    ...extra,
  };
}

/** A running agent process. */
export interface AgentProcess {
  proc: ChildProcess;
  /** Exit status (or signal name) once it exited. */
  exited: Promise<number | string>;
  stderr(): string;
  /** agent.log parsed (JSON lines). */
  log(): Array<Record<string, any>>;
  errorLog(): Array<Record<string, any>>;
  /** Sends a signal to the agent process only. */
  signal(sig: NodeJS.Signals): void;
  /** SIGKILL to its process group, waits for the exit. */
  kill(): Promise<void>;
}

function readJsonLines(file: string): Array<Record<string, any>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

/** Starts strato-agent (the bundle) in `cwd`, in its own process group. */
export async function startAgent(cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<AgentProcess> {
  const file = await agentBundle();
  const proc = spawn(process.execPath, [file, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString('utf8');
  });
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    proc,
    exited,
    stderr: () => err,
    log: () => readJsonLines(join(cwd, 'agent.log')),
    errorLog: () => readJsonLines(join(cwd, 'error.log')),
    signal: (sig) => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(sig);
    },
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      await exited;
    },
  };
}

/** A TCP server standing for the member's own server (the port the agent checks). */
export async function listenOn(port: number): Promise<Server> {
  const server = createServer((s) => s.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

/** One event the control plane received or sent. */
export interface Seen {
  name: EventName;
  payload: any;
  at: number;
  broker: string;
}

/**
 * A control plane for one member on one or more brokers (each its own connection: separate
 * brokers share nothing): answers CompleteTopologyRequestEvent with a topology holding the member
 * in its current status, moves the status on the agent's Instance* events and announces it with the
 * Member* event, as Stratos's cloud controller does.
 */
export class TestControlPlane {
  readonly received: Seen[] = [];
  status: MemberStatus;
  private readonly buses: MessageBus[];

  private constructor(
    urls: string[],
    private readonly params: Record<string, string>,
    status: MemberStatus,
    credentials?: { username: string; password: string },
  ) {
    this.status = status;
    this.buses = urls.map((url) => new MessageBus({ urls: [url], retryIntervalMs: 100, livenessIntervalMs: 500, connectTimeoutMs: 2_000, ...credentials }));
  }

  static async start(
    urls: string[],
    params: Record<string, string>,
    status: MemberStatus = 'Initialized',
    credentials?: { username: string; password: string },
  ): Promise<TestControlPlane> {
    const cp = new TestControlPlane(urls, params, status, credentials);
    await Promise.all(
      cp.buses.map((bus, i) =>
        Promise.all([
          bus.subscribe('instance/status/#', (name, payload) => cp.onStatus(name, payload, urls[i])),
          bus.subscribe('initializer/#', (name, payload) => cp.onRequest(name, payload, urls[i])),
          bus.subscribe('health/stat/#', (name, payload) => {
            cp.received.push({ name, payload, at: Date.now(), broker: urls[i] });
          }),
        ]),
      ),
    );
    return cp;
  }

  /** Events received named `name`. */
  named(name: EventName): Seen[] {
    return this.received.filter((e) => e.name === name);
  }

  /** Publishes an event on every broker it is connected to. */
  publish(name: EventName, payload: object): Promise<unknown> {
    return Promise.all(this.buses.filter((b) => b.connected).map((b) => b.publish(name as any, payload as any)));
  }

  ids() {
    const p = this.params;
    return {
      serviceName: p.SERVICE_NAME,
      clusterId: p.CLUSTER_ID,
      clusterInstanceId: p.CLUSTER_INSTANCE_ID,
      memberId: p.MEMBER_ID,
      networkPartitionId: p.NETWORK_PARTITION_ID,
      partitionId: p.PARTITION_ID,
    };
  }

  topology(): object {
    const p = this.params;
    const member = {
      ...this.ids(),
      initTime: 1,
      portMap: {},
      defaultPrivateIP: '10.0.0.1',
      properties: { prop1: 'value1' },
      memberStateManager: { stateStack: ['Created', this.status], identifier: p.MEMBER_ID },
      loadBalancingIPType: 'Private',
    };
    return {
      topology: {
        serviceMap: {
          [p.SERVICE_NAME]: {
            serviceName: p.SERVICE_NAME,
            serviceType: 'SingleTenant',
            properties: { sprop: 'svalue' },
            clusterIdClusterMap: { [p.CLUSTER_ID]: { serviceName: p.SERVICE_NAME, clusterId: p.CLUSTER_ID, memberMap: { [p.MEMBER_ID]: member } } },
          },
        },
      },
    };
  }

  /** Sets the member Initialized and announces it. */
  async initialize(): Promise<void> {
    this.status = 'Initialized';
    await this.publish('MemberInitializedEvent', { ...this.ids(), instanceId: 'i-1' });
  }

  private onRequest(name: EventName, payload: unknown, broker: string): void {
    this.received.push({ name, payload, at: Date.now(), broker });
    if (name === 'CompleteTopologyRequestEvent') void this.publish('CompleteTopologyEvent', this.topology());
    if (name === 'CompleteTenantRequestEvent') void this.publish('CompleteTenantEvent', { tenants: [{ tenantId: -1234, tenantDomain: 'carbon.super' }] });
  }

  private onStatus(name: EventName, payload: unknown, broker: string): void {
    this.received.push({ name, payload, at: Date.now(), broker });
    const next: Partial<Record<EventName, [MemberStatus, EventName]>> = {
      InstanceStartedEvent: ['Starting', 'MemberStartedEvent'],
      InstanceActivatedEvent: ['Active', 'MemberActivatedEvent'],
      InstanceMaintenanceModeEvent: ['In_Maintenance', 'MemberMaintenanceModeEvent'],
      InstanceReadyToShutdownEvent: ['ReadyToShutDown', 'MemberReadyToShutdownEvent'],
    };
    const to = next[name];
    if (to === undefined || this.status === to[0]) return;
    this.status = to[0];
    void this.publish(to[1], { ...this.ids(), status: to[0], portMap: {} });
  }

  async close(): Promise<void> {
    await Promise.all(this.buses.map((b) => b.close()));
  }
}
