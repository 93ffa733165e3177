/**
 * Helpers of the broker security tests: a server whose log is captured, an application whose
 * member no simulated agent drives (an agentless mock provider), and a minimal cartridge agent —
 * a real MQTT client that does what Stratos's agent does for its own member, with the credentials
 * of the member's launch payload.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { startServer, type RunningServer } from '../src/server.ts';
import { loadSettings, type Settings } from '../src/settings.ts';
import { isDeploy, MANIFEST, sampleText, waitFor } from '@strato/testing';
import { FAST_ENV, type Reply, request } from '@strato/testing/server';

/** A real server with every log line (trace level) kept, raw and parsed. */
export interface LoggedServer extends RunningServer {
  dataDir: string;
  settings: Settings;
  /** every log line as written */
  lines: string[];
  /** the parsed log records */
  records: Array<Record<string, any>>;
  call(method: string, path: string, body?: unknown): Promise<Reply>;
  /** Stops the server and removes its data dir (unless keepData). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/** The provider whose mock instances have no simulated agent. */
export const AGENTLESS = 'byo';

export async function startLoggedServer(env: NodeJS.ProcessEnv = {}, dataDir = mkdtempSync(join(tmpdir(), 'strato-broker-'))): Promise<LoggedServer> {
  const lines: string[] = [];
  const records: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        lines.push(line);
        records.push(JSON.parse(line));
      }
      callback();
    },
  });
  const settings = loadSettings(
    { ...FAST_ENV, STRATO_IAAS_PROVIDERS: `mock=mock,${AGENTLESS}=mock`, STRATO_MOCK_AGENTLESS_PROVIDERS: AGENTLESS, ...env },
    { httpPort: 0, dataDir, logLevel: 'trace' },
  );
  const server = await startServer(settings, pino({ level: 'trace' }, stream));
  return {
    ...server,
    dataDir,
    settings,
    lines,
    records,
    call: (method, path, body) => request(server.url, method, path, body),
    async stop(opts = {}) {
      await server.close();
      if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Call = (method: string, path: string, body?: unknown) => Promise<Reply>;

/** Registers the single-cartridge-app sample (simulated members on provider `mock`). */
export async function registerSingleCartridgeApp(call: Call): Promise<void> {
  const entry = MANIFEST.find((e) => e.application.endsWith('/single-cartridge-app'))!;
  for (const c of entry.deploy) {
    if (isDeploy(c)) break;
    const r = await call(c.method, c.path, sampleText(c.body!));
    assert.ok(r.status === 201 || r.status === 409, `${c.path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

/**
 * Registers `agent-app`: the single-cartridge-app's php cartridge on a network partition of the
 * agentless provider, so that its member waits for a real agent (call after
 * registerSingleCartridgeApp).
 */
export async function registerAgentApp(call: Call): Promise<void> {
  const app = JSON.parse(sampleText('applications/simple/single-cartridge-app/artifacts/application.json'));
  app.applicationId = 'agent-app';
  app.alias = 'agent-app';
  app.components.cartridges[0].subscribableInfo.alias = 'my-agent';
  app.components.cartridges[0].subscribableInfo.deploymentPolicy = 'dp-agent';
  const posts: [string, unknown][] = [
    ['/api/networkPartitions', { id: 'np-agent', provider: AGENTLESS, partitions: [{ id: 'p-agent', property: [{ name: 'region', value: 'default' }] }] }],
    [
      '/api/deploymentPolicies',
      { id: 'dp-agent', networkPartitions: [{ id: 'np-agent', partitionAlgo: 'one-after-another', partitions: [{ id: 'p-agent', partitionMax: 5 }] }] },
    ],
    ['/api/applicationPolicies', { id: 'ap-agent', algorithm: 'one-after-another', networkPartitions: ['np-agent'] }],
    ['/api/applications', app],
  ];
  for (const [path, body] of posts) {
    const r = await call('POST', path, body);
    assert.ok(r.status === 201 || r.status === 409, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

/** The members of an application's first cluster instance, as the runtime view shows them. */
export async function membersOf(call: Call, appId: string): Promise<{ status: string; members: Array<{ memberId: string; status: string }> }> {
  const r = await call('GET', `/api/applications/${appId}/runtime`);
  const rt = r.status === 200 ? r.body : {};
  return { status: rt.status, members: rt.applicationInstances?.[0]?.clusterInstances?.[0]?.member ?? [] };
}

/** A launch payload as Stratos's agent reads it: `KEY=value` pairs split on `,`, value = text up to a second `=`. */
export function readLaunchParams(payload: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of payload.split(',')) {
    const parts = item.trim().split('=');
    if (parts.length > 1) out[parts[0]] = parts[1];
  }
  return out;
}

/** The launch payload of the mock instance of a member, read from the mock IaaS API (as admin). */
export async function launchParamsOf(call: Call, memberId: string): Promise<Record<string, string>> {
  const r = await call('GET', `/mock-iaas/api/instances/${encodeURIComponent(memberId)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return readLaunchParams(r.body.payload);
}

/** The ids of an instance status event of the member a launch payload describes. */
export function statusFields(p: Record<string, string>) {
  return {
    serviceName: p.SERVICE_NAME,
    clusterId: p.CLUSTER_ID,
    clusterInstanceId: p.CLUSTER_INSTANCE_ID,
    memberId: p.MEMBER_ID,
    instanceId: null,
    networkPartitionId: p.NETWORK_PARTITION_ID,
    partitionId: p.PARTITION_ID,
  };
}

/**
 * A minimal cartridge agent for one member: connects with the payload's `mb.username` /
 * `mb.password`, subscribes as Stratos's agent does, publishes its status events, health
 * statistics every 200 ms once activated, and on a cleanup request for itself
 * InstanceMaintenanceModeEvent then InstanceReadyToShutdownEvent (cartridge-agent.md §1.6).
 */
export class TestAgent {
  readonly cleanups: string[] = [];
  private stats: NodeJS.Timeout | undefined;
  private constructor(
    readonly client: MqttClient,
    readonly params: Record<string, string>,
    private readonly answerCleanup: boolean,
  ) {}

  /** `answerCleanup: false`: cleanup requests are recorded but not answered. */
  static async connect(url: string, params: Record<string, string>, options: { answerCleanup?: boolean } = {}): Promise<TestAgent> {
    const client = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      username: params['mb.username'],
      password: params['mb.password'],
    });
    const agent = new TestAgent(client, params, options.answerCleanup ?? true);
    client.on('message', (topic, message) => agent.onMessage(topic, JSON.parse(message.toString('utf8'))));
    await client.subscribeAsync({ 'topology/#': { qos: 1 }, 'instance/#': { qos: 1 }, 'tenant/#': { qos: 1 }, 'application/signup/#': { qos: 1 } });
    return agent;
  }

  private onMessage(topic: string, payload: any): void {
    const p = this.params;
    const mine =
      (topic === 'instance/notifier/InstanceCleanupMemberEvent' && payload.memberId === p.MEMBER_ID) ||
      (topic === 'instance/notifier/InstanceCleanupClusterEvent' && payload.clusterId === p.CLUSTER_ID && payload.clusterInstanceId === p.CLUSTER_INSTANCE_ID);
    if (!mine) return;
    this.cleanups.push(topic);
    if (this.cleanups.length > 1 || !this.answerCleanup) return;
    void this.publish('InstanceMaintenanceModeEvent').then(() => this.publish('InstanceReadyToShutdownEvent'));
  }

  publish(event: 'InstanceStartedEvent' | 'InstanceActivatedEvent' | 'InstanceMaintenanceModeEvent' | 'InstanceReadyToShutdownEvent'): Promise<unknown> {
    const body = event === 'InstanceStartedEvent' ? { applicationId: this.params.APPLICATION_ID, ...statusFields(this.params) } : statusFields(this.params);
    return this.client.publishAsync(`instance/status/${event}`, JSON.stringify(body), { qos: 1 });
  }

  /** Starts the health statistics (memory and load, every 200 ms). */
  startStats(): void {
    const p = this.params;
    const send = () => {
      for (const healthDescription of ['memory_consumption', 'load_average']) {
        const stat = {
          clusterId: p.CLUSTER_ID,
          clusterInstanceId: p.CLUSTER_INSTANCE_ID,
          networkPartitionId: p.NETWORK_PARTITION_ID,
          memberId: p.MEMBER_ID,
          partitionId: p.PARTITION_ID,
          healthDescription,
          value: 20,
          timestamp: Date.now(),
        };
        this.client.publish('health/stat/MemberHealthStatEvent', JSON.stringify(stat), { qos: 0 });
      }
    };
    send();
    this.stats = setInterval(send, 200);
  }

  async close(): Promise<void> {
    clearInterval(this.stats);
    await this.client.endAsync(true);
  }
}

/**
 * Acts as the agent of agent-app's member (deploy it first): reads its launch payload once the
 * member is Initialized, connects with its credentials, publishes InstanceStartedEvent and
 * InstanceActivatedEvent (each once the member reached the state before), starts the health
 * statistics and waits until the application is Active.
 */
export async function bringUpAgent(call: Call, url: string, options: { answerCleanup?: boolean } = {}): Promise<TestAgent> {
  const mine = await waitFor('agent-app member Initialized', async () => {
    const m = await membersOf(call, 'agent-app');
    return m.members.length === 1 && m.members[0].status === 'Initialized' ? m.members[0] : undefined;
  });
  const agent = await TestAgent.connect(url, await launchParamsOf(call, mine.memberId), options);
  await agent.publish('InstanceStartedEvent');
  await waitFor('Starting', async () => (await membersOf(call, 'agent-app')).members[0]?.status === 'Starting');
  await agent.publish('InstanceActivatedEvent');
  agent.startStats();
  await waitFor('agent-app Active', async () => (await membersOf(call, 'agent-app')).status === 'Active');
  return agent;
}

/** Whether a connection is closed by the broker (resolves once it is). */
export function closedBy(client: MqttClient): Promise<void> {
  return new Promise((resolve) => (client.connected ? client.once('close', () => resolve()) : resolve()));
}

/** Waits until `count` more events named `name` were seen by `seen()` than now. */
export async function laterEvents(seen: () => number, count: number, what: string): Promise<void> {
  const start = seen();
  await waitFor(what, () => seen() >= start + count, 20_000);
}
