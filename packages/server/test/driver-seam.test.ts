/**
 * The driver seam: the launch payload as Stratos writes it (pure), the driver registry (pure),
 * and, on a real server with the mock IaaS, the InstanceRequest a driver receives (ports, the
 * whole payload, the cartridge's IaaS entry, the merged partition properties), `watch` (a
 * destroyed instance is a member fault at once, a killed one is not reported) and the
 * cluster's CARTRIDGE_KEY surviving a restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cartridge } from '@strato/model';
import { pino } from 'pino';
import { buildPayload, generateCartridgeKey, payloadValue, redactPayloadSecrets, withLaunchIdentity } from '../src/cloud/launch-payload.ts';
import { DRIVER_NAMES, DriverRegistry } from '../src/cloud/driver-registry.ts';
import { defaultDriverRegistry } from '../src/cloud/drivers.ts';
import type { IaasDriver, InstanceRequest } from '../src/cloud/iaas-driver.ts';
import { payloadEntries } from '../src/cloud/iaas-driver.ts';
import { MockIaas } from '../src/cloud/drivers/mock/mock-iaas.ts';
import { loadSettings } from '../src/settings.ts';
import type { Store } from '../src/store/store.ts';
import { FakeClock, waitFor } from '@strato/testing';
import { EventRecorder } from '@strato/testing/messaging';
import { FAST_ENV, startTestServer, type TestServer } from '@strato/testing/server';

const EXAMPLES = new URL('../../../examples/', import.meta.url);
const example = (path: string) => JSON.parse(readFileSync(new URL(path, EXAMPLES), 'utf8'));

/** The keys of a payload, in order. */
const keysOf = (payload: string) => payloadEntries(payload).map(([k]) => k);

/** Stratos's order (orchestration.md §6.2 step 4), for a payload with every optional key. */
const STRATOS_ORDER = [
  'APPLICATION_ID',
  'GROUP_NAME',
  'SERVICE_NAME',
  'HOST_NAME',
  'MULTITENANT',
  'TENANT_ID',
  'TENANT_RANGE',
  'CARTRIDGE_ALIAS',
  'CLUSTER_ID',
  'CARTRIDGE_KEY',
  'DEPLOYMENT',
  'APPLICATION_PATH',
  'REPO_URL',
  'PORTS',
  'PORT_MAPPINGS',
  'PROVIDER',
  'PUPPET_IP',
  'PUPPET_HOSTNAME',
  'PUPPET_DNS_AVAILABLE',
  'PUPPET_ENV',
  'DEPENDENCY_ALIASES',
  'EXPORTING_PROPERTIES',
  'DEPENDENCY_CLUSTER_IDS',
  'EXPORT_METADATA_KEYS',
  'IMPORT_METADATA_KEYS',
  'LVS_VIRTUAL_IP',
  'CART_PARAM',
  'SUB_PARAM',
  'TOKEN',
  'MEMBER_ID',
  'INSTANCE_ID',
  'CLUSTER_INSTANCE_ID',
  'LB_CLUSTER_ID',
  'NETWORK_PARTITION_ID',
  'PARTITION_ID',
  'INTERNAL',
  'MIN_COUNT',
  'NP_PARAM',
];

describe('launch payload', () => {
  const cartridge = {
    type: 'php',
    category: 'framework',
    provider: 'apache',
    multiTenant: false,
    deployment: { baseDir: '/var/www' },
    metadataKeys: ['url', 'port'],
    portMapping: [
      { name: 'http', protocol: 'http', port: 80, proxyPort: 8280 },
      { protocol: 'https', port: 443, proxyPort: 8243, kubernetesPortType: 'NodePort' },
    ],
    iaasProvider: [{ type: 'mock', imageId: 'img' }],
  } as Cartridge;

  it('has every key an agent reads, in Stratos order and format', () => {
    const payload = buildPayload({
      applicationId: 'app1',
      cartridge,
      alias: 'php1',
      clusterId: 'app1.php1.php.domain',
      clusterInstanceId: 'app1-1',
      hostName: 'php1.strato.local',
      networkPartitionId: 'np1',
      partitionId: 'p1',
      tenantId: -1234,
      cartridgeKey: 'AbCdEfGhIjKlMnOp',
      groupName: 'web-tier',
      repoUrl: 'https://git.example/app.git',
      dependencyAliases: ['mysql1', 'cache1'],
      lvsVirtualIP: '10.1.1.1|255.255.255.0',
      properties: [
        { name: 'payload_parameter.CART_PARAM', value: 'c' },
        { name: 'not_a_payload_parameter', value: 'x' },
        { name: 'payload_parameter.SUB_PARAM', value: 's' },
      ],
      memberProperties: { MIN_COUNT: '2' },
      networkPartitionProperties: [
        { name: 'payload_parameter.NP_PARAM', value: 'n' },
        { name: 'payload_parameter.DEPLOYMENT', value: 'np-deployment' },
      ],
    });
    assert.equal(
      payload,
      [
        'APPLICATION_ID=app1',
        'GROUP_NAME=web-tier',
        'SERVICE_NAME=php',
        'HOST_NAME=php1.strato.local',
        'MULTITENANT=false',
        'TENANT_ID=-1234',
        'TENANT_RANGE=*',
        'CARTRIDGE_ALIAS=php1',
        'CLUSTER_ID=app1.php1.php.domain',
        'CARTRIDGE_KEY=AbCdEfGhIjKlMnOp',
        'DEPLOYMENT=np-deployment', // a network partition's payload_parameter replaces the key in place
        'APPLICATION_PATH=/var/www',
        'REPO_URL=https://git.example/app.git',
        'PORTS=80|443',
        'PORT_MAPPINGS=NAME:http|PROTOCOL:http|PORT:80|PROXY_PORT:8280|TYPE:;NAME:https-443|PROTOCOL:https|PORT:443|PROXY_PORT:8243|TYPE:NodePort',
        'PROVIDER=apache',
        'PUPPET_IP=',
        'PUPPET_HOSTNAME=',
        'PUPPET_DNS_AVAILABLE=',
        'PUPPET_ENV=',
        'DEPENDENCY_ALIASES=mysql1|cache1',
        'EXPORTING_PROPERTIES=',
        'DEPENDENCY_CLUSTER_IDS=',
        'EXPORT_METADATA_KEYS=url|port',
        'IMPORT_METADATA_KEYS=',
        'LVS_VIRTUAL_IP=10.1.1.1|255.255.255.0',
        'CART_PARAM=c',
        'SUB_PARAM=s',
        'TOKEN=',
        'MEMBER_ID=',
        'INSTANCE_ID=',
        'CLUSTER_INSTANCE_ID=app1-1',
        'LB_CLUSTER_ID=',
        'NETWORK_PARTITION_ID=np1',
        'PARTITION_ID=p1',
        'INTERNAL=false',
        'MIN_COUNT=2',
        'NP_PARAM=n',
      ].join(','),
    );
  });

  it('leaves out APPLICATION_PATH and LVS_VIRTUAL_IP when there are none, as Stratos does', () => {
    const payload = buildPayload({
      applicationId: 'a',
      cartridge: { ...cartridge, deployment: undefined },
      alias: 'x',
      clusterId: 'c',
      clusterInstanceId: 'c-1',
      hostName: 'h',
      networkPartitionId: 'np',
      partitionId: 'p',
      tenantId: 1,
      properties: [],
    });
    assert.ok(!keysOf(payload).includes('APPLICATION_PATH'));
    assert.ok(!keysOf(payload).includes('LVS_VIRTUAL_IP'));
    assert.equal(payloadValue(payload, 'GROUP_NAME'), '', 'a cluster at the top level has no group');
  });

  it('ends with PERSISTENCE_MAPPING when persistence is required (the subscription over the cartridge)', () => {
    const input = {
      applicationId: 'a',
      alias: 'x',
      clusterId: 'c',
      clusterInstanceId: 'c-1',
      hostName: 'h',
      networkPartitionId: 'np',
      partitionId: 'p',
      tenantId: 1,
      properties: [],
      networkPartitionProperties: [{ name: 'payload_parameter.NP_PARAM', value: 'n' }],
    };
    const withVolumes = {
      ...cartridge,
      persistence: {
        required: true,
        volume: [
          { device: '/dev/sdc', id: 'v1', mappingPath: '/data' },
          { device: '/dev/sdd', volumeId: 'vol-2', mappingPath: '/logs' },
        ],
      },
    };
    const payload = buildPayload({ ...input, cartridge: withVolumes });
    assert.deepEqual(keysOf(payload).slice(-2), ['NP_PARAM', 'PERSISTENCE_MAPPING']);
    assert.equal(payloadValue(payload, 'PERSISTENCE_MAPPING'), '/dev/sdc|v1|/data|/dev/sdd|vol-2|/logs');
    assert.equal(payloadValue(buildPayload({ ...input, cartridge: withVolumes, persistence: { required: false } }), 'PERSISTENCE_MAPPING'), undefined);
    assert.equal(payloadValue(buildPayload({ ...input, cartridge }), 'PERSISTENCE_MAPPING'), undefined);
  });

  it('gets MEMBER_ID in its place and the broker credentials at the end from the cloud controller', () => {
    const base = buildPayload({
      applicationId: 'a',
      cartridge,
      alias: 'x',
      clusterId: 'c',
      clusterInstanceId: 'c-1',
      hostName: 'h',
      networkPartitionId: 'np',
      partitionId: 'p',
      tenantId: 1,
      properties: [],
    });
    const launched = withLaunchIdentity(base, { memberId: 'c-member-1', broker: { username: 'member-u', password: 'secret' } });
    const keys = keysOf(launched);
    assert.deepEqual(keys.slice(0, -2), keysOf(base), 'the same keys in the same order, then the credentials');
    assert.deepEqual(keys.slice(-2), ['mb.username', 'mb.password']);
    assert.equal(payloadValue(launched, 'MEMBER_ID'), 'c-member-1');
    assert.equal(keys.indexOf('MEMBER_ID') + 1, keys.indexOf('INSTANCE_ID'), 'MEMBER_ID where Stratos writes it');
    // a payload stored before MEMBER_ID had its place gets it appended; an old identity is replaced
    assert.equal(withLaunchIdentity('A=1,MEMBER_ID=old,B=2', { memberId: 'new' }), 'A=1,MEMBER_ID=new,B=2');
    assert.equal(withLaunchIdentity('A=1', { memberId: 'm' }), 'A=1,MEMBER_ID=m');
    assert.equal(redactPayloadSecrets(launched).endsWith('mb.username=member-u,mb.password=(redacted)'), true);
  });

  it('CARTRIDGE_KEY: 16 alphanumeric characters, a new one each time', () => {
    const keys = new Set(Array.from({ length: 50 }, generateCartridgeKey));
    assert.equal(keys.size, 50);
    for (const key of keys) assert.match(key, /^[A-Za-z0-9]{16}$/);
  });
});

describe('driver registry', () => {
  it('knows the driver names the settings accept, and makes only implemented ones', () => {
    assert.deepEqual([...DRIVER_NAMES].sort(), ['kubernetes', 'mock', 'process']);
    const registry = defaultDriverRegistry();
    assert.deepEqual(registry.names(), ['mock', 'process']);
    assert.throws(() => new DriverRegistry().register('ec2', () => ({}) as IaasDriver), /Unknown IaaS driver name ec2/);
    assert.throws(() => registry.register('mock', () => ({}) as IaasDriver), /registered already/);
    assert.throws(() => loadSettings({ STRATO_IAAS_PROVIDERS: 'aws=ec2' }), /STRATO_IAAS_PROVIDERS.*mock, kubernetes, process/);
  });

  it('builds one driver per implemented name, shared by its providers; a provider of an unimplemented driver stays unbound', () => {
    const settings = loadSettings({ STRATO_IAAS_PROVIDERS: 'mock=mock,ec2-sydney=mock,k8s=kubernetes' });
    const clock = new FakeClock();
    const context = { settings, store: {} as Store, bus: {} as never, logger: pino({ level: 'silent' }), clock, scheduler: clock };
    const { byName, byProvider } = defaultDriverRegistry().build(settings.iaasProviders, context);
    assert.deepEqual([...byName.keys()], ['mock']);
    assert.ok(byName.get('mock') instanceof MockIaas);
    assert.deepEqual([...byProvider.keys()].sort(), ['ec2-sydney', 'mock']);
    assert.equal(byProvider.get('mock'), byProvider.get('ec2-sydney'), 'one driver for both providers');
    assert.equal(byProvider.has('k8s'), false);
    assert.throws(() => defaultDriverRegistry().create('kubernetes', context), /no implementation yet/);
    // the server's mock runs even when no provider is bound to it
    assert.deepEqual([...defaultDriverRegistry().build({ k8s: 'kubernetes' }, context, ['mock']).byName.keys()], ['mock']);
  });
});

describe('the driver seam on a real server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'strato-driver-seam-'));
  const appId = 'api-backend';
  const env = { ...FAST_ENV, STRATO_MEMBER_FAULT_TIMEOUT: '600000', STRATO_MEMBER_FAULT_CHECK_INTERVAL: '600000' };
  let server: TestServer;
  let recorder: EventRecorder;
  let requests: InstanceRequest[] = [];

  /** Starts the server on the data dir and records every request its mock driver receives. */
  async function start() {
    server = await startTestServer({ dataDir }, env);
    requests = [];
    const mock = server.mockIaas;
    const startInstance = mock.startInstance.bind(mock);
    mock.startInstance = (r) => {
      requests.push(structuredClone(r));
      return startInstance(r);
    };
    recorder = await EventRecorder.connect(server.mbUrls[0], server.mbCredentials);
  }
  async function stop() {
    await recorder.close();
    await server.stop();
  }
  const members = async () => {
    const r = (await server.call('GET', `/api/applications/${appId}/runtime`)).body;
    const out: any[] = [];
    const walk = (node: any) => {
      for (const ci of node?.clusterInstances ?? []) out.push(...(ci.member ?? []));
      for (const g of node?.groupInstances ?? []) walk(g);
    };
    for (const ai of r.applicationInstances ?? []) walk(ai);
    return { status: r.status as string, members: out };
  };
  const activeWith = (n: number) =>
    waitFor(`${appId} Active with ${n} active members`, async () => {
      const m = await members();
      return m.status === 'Active' && m.members.length === n && m.members.every((x) => x.status === 'Active') ? m.members : undefined;
    });
  const requestOf = (memberId: string) => requests.find((r) => r.memberId === memberId);

  before(async () => {
    await start();
    const post = async (path: string, body: unknown) => assert.equal((await server.call('POST', `/api/${path}`, body)).status, 201, path);
    const np = example('network-partitions/local-mock.json');
    np.properties = [
      { name: 'payload_parameter.NP_PARAM', value: 'n' },
      { name: 'region', value: 'np-default' },
    ];
    np.partitions[0].property.push({ name: 'zone', value: 'a1' });
    np.partitions[1].property.push({ name: 'zone', value: 'b1' });
    await post('networkPartitions', np);
    await post('autoscalingPolicies', example('autoscaling-policies/moderate.json'));
    await post('deploymentPolicies', example('deployment-policies/local-mock.json'));
    await post('applicationPolicies', example('application-policies/local-mock.json'));
    const db = example('cartridges/db.json');
    db.deployment = { baseDir: '/srv/db' };
    db.metadataKeys = ['dsn'];
    db.property = [{ name: 'payload_parameter.CART_PARAM', value: 'c' }];
    db.iaasProvider[0].property = [{ name: 'instanceType', value: 'small' }];
    await post('cartridges', db);
    await post('cartridges', example('cartridges/api.json'));
    await post('cartridgeGroups', example('cartridge-groups/backend.json'));
    const app = example('applications/api-backend.json');
    const dbRef = app.components.groups[0].cartridges[0].subscribableInfo;
    dbRef.artifactRepository = { repoUrl: 'https://git.example/db.git' };
    dbRef.dependencyAliases = ['shop-api'];
    dbRef.lvsVirtualIP = '10.9.9.9|255.255.255.0';
    dbRef.property = [{ name: 'payload_parameter.SUB_PARAM', value: 's' }];
    await post('applications', app);
    assert.equal((await server.call('POST', `/api/applications/${appId}/deploy/local-mock`, '')).status, 202);
  });
  after(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('asks the driver with the ports, the whole payload, the IaaS entry and the merged partition properties', async () => {
    const active = await activeWith(3);
    const db = active.find((m) => m.clusterId.includes('shop-db'))!;
    const r = requestOf(db.memberId)!;
    assert.ok(r, 'the mock driver was asked for the db member');
    assert.equal(r.cartridgeType, 'db');
    assert.equal(r.clusterId, db.clusterId);
    assert.equal(r.applicationId, appId);
    assert.equal(r.provider, 'mock');
    assert.deepEqual(r.ports, [{ name: 'db', protocol: 'tcp', port: 5432, proxyPort: 0 }]);
    assert.deepEqual(r.iaas, { imageId: 'strato-examples/db', properties: { instanceType: 'small' } });
    const zone = r.partition.id === 'zone-a' ? 'a1' : 'b1';
    assert.deepEqual(
      r.partition,
      {
        id: db.partitionId,
        properties: { 'payload_parameter.NP_PARAM': 'n', region: `local-${zone[0]}`, zone },
      },
      'the partition properties over the network partition properties',
    );
    assert.deepEqual(keysOf(r.payload), [...STRATOS_ORDER, 'mb.username', 'mb.password']);
    const value = (key: string) => payloadValue(r.payload, key);
    assert.equal(value('MEMBER_ID'), db.memberId);
    assert.equal(value('CLUSTER_INSTANCE_ID'), db.clusterInstanceId);
    assert.equal(value('PARTITION_ID'), db.partitionId);
    assert.equal(value('GROUP_NAME'), 'backend');
    assert.equal(value('REPO_URL'), 'https://git.example/db.git');
    assert.equal(value('PORTS'), '5432');
    assert.equal(value('MIN_COUNT'), '1');
    assert.equal(value('DEPENDENCY_ALIASES'), 'shop-api');
    assert.equal(value('EXPORT_METADATA_KEYS'), 'dsn');
    assert.equal(value('APPLICATION_PATH'), '/srv/db');
    assert.match(value('mb.username') ?? '', /.+/);
    assert.match(value('CARTRIDGE_KEY') ?? '', /^[A-Za-z0-9]{16}$/);

    const apis = active.filter((m) => m.clusterId.includes('shop-api')).map((m) => requestOf(m.memberId)!);
    assert.equal(apis.length, 2);
    const apiKey = payloadValue(apis[0].payload, 'CARTRIDGE_KEY');
    assert.equal(payloadValue(apis[1].payload, 'CARTRIDGE_KEY'), apiKey, 'one key per cluster');
    assert.notEqual(apiKey, value('CARTRIDGE_KEY'), 'another cluster, another key');
    assert.equal(payloadValue(apis[0].payload, 'MIN_COUNT'), '2');
    assert.equal(payloadValue(apis[0].payload, 'APPLICATION_PATH'), undefined);
  });

  it('a killed instance is not reported by watch (its agent is silent, the VM runs); a destroyed one is a fault at once', async () => {
    const active = await activeWith(3);
    const reports: string[] = [];
    const unwatch = server.mockIaas.watch((memberId) => reports.push(memberId));
    const [victim, killed] = active.filter((m) => m.clusterId.includes('shop-api')).map((m) => m.memberId);
    const call = (id: string, action: string) => server.call('POST', `/mock-iaas/api/instances/${encodeURIComponent(id)}/${action}`, '');
    assert.equal((await call(killed, 'kill')).status, 200);
    assert.deepEqual(reports, [], 'kill reports nothing');
    assert.ok(
      (await server.mockIaas.listInstances()).some((i) => i.memberId === killed),
      'the killed instance still runs',
    );
    const destroyed = await call(victim, 'destroy');
    assert.deepEqual([destroyed.status, destroyed.body.message], [200, `Mock instance destroyed: ${victim}`]);
    assert.deepEqual(reports, [victim], 'destroy is reported');
    unwatch();
    assert.ok(!(await server.mockIaas.listInstances()).some((i) => i.memberId === victim), 'the destroyed instance is gone');
    // the fault timeout is 10 minutes: only the watch report can make this fault
    await waitFor('MemberFaultEvent of the destroyed member', () => recorder.first('MemberFaultEvent', (p) => p.memberId === victim), 10_000);
    await waitFor('MemberTerminatedEvent of the destroyed member', () => recorder.first('MemberTerminatedEvent', (p) => p.memberId === victim), 10_000);
    assert.equal(
      recorder.first('MemberFaultEvent', (p) => p.memberId === killed),
      undefined,
      'the killed member is not (yet) faulty',
    );
    // unknown ids are answered, not errors
    assert.deepEqual((await call('nope', 'destroy')).body.message, 'Mock instance not found: nope');
    // terminate the silent one ourselves so the cluster settles: destroy it too
    await call(killed, 'destroy');
    const now = await activeWith(3);
    const replacements = now.filter((m) => m.clusterId.includes('shop-api')).map((m) => m.memberId);
    assert.ok(!replacements.includes(victim) && !replacements.includes(killed), 'both replaced');
    const key = (id: string) => payloadValue(requestOf(id)!.payload, 'CARTRIDGE_KEY');
    assert.equal(key(replacements[0]), key(victim), 'the replacement has the cluster key');
  });

  it("keeps a cluster's CARTRIDGE_KEY across a restart", async () => {
    const before = await activeWith(3);
    const api = before.find((m) => m.clusterId.includes('shop-api'))!;
    const keyBefore = payloadValue(requestOf(api.memberId)!.payload, 'CARTRIDGE_KEY');
    await stop();
    await start();
    await activeWith(3);
    assert.equal((await server.call('POST', `/mock-iaas/api/instances/${encodeURIComponent(api.memberId)}/destroy`, '')).status, 200);
    const replacement = await waitFor('a new api member asked of the driver', () =>
      requests.find((r) => r.cartridgeType === 'api' && r.memberId !== api.memberId),
    );
    assert.equal(payloadValue(replacement.payload, 'CARTRIDGE_KEY'), keyBefore);
    await activeWith(3);
  });
});
