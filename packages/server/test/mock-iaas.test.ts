/**
 * The mock IaaS: pure pattern maths and addresses, then the driver against a real embedded MQTT
 * broker and a real SQLite store, with a plain MessageBus playing the cloud controller, and the
 * REST routes through fastify's inject.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { MessageBus, startEmbeddedBroker, type EmbeddedBroker, type EventMap, type EventName } from '@strato/messaging';
import Fastify from 'fastify';
import { pino } from 'pino';
import type { InstanceRequest } from '../src/cloud/iaas-driver.ts';
import { MOCK_INSTANCE_KIND, MockIaas, type MockInstanceRecord, type MockIaasOptions } from '../src/cloud/drivers/mock/mock-iaas.ts';
import { mockIaasRoutes } from '../src/cloud/drivers/mock/mock-iaas-routes.ts';
import { loadMockIaasSettings } from '../src/cloud/drivers/mock/mock-iaas-settings.ts';
import { MAX_MOCK_ADDRESS_SEQUENCE, mockIpAddress } from '../src/cloud/drivers/mock/mock-ip-address.ts';
import {
  factorValues,
  loadMockPatterns,
  parseMockPatterns,
  PatternClock,
  patternValue,
  type MockPattern,
  type MockPatterns,
} from '../src/cloud/drivers/mock/mock-patterns.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { SUPER_TENANT_ID, type Store } from '../src/store/store.ts';
import * as kit from '@strato/testing/server';

const silent = pino({ level: 'silent' });

// ------------------------------------------------------------------------------------ helpers

/**
 * Polls `check` until it returns a truthy value (an empty array counts as not yet); fails with
 * `what` after `timeoutMs`.
 */
type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 5_000): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value && !(Array.isArray(value) && value.length === 0)) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Received {
  name: EventName;
  payload: any;
  at: number;
}

/** Everything the "cloud controller" receives from mock instances. */
class Recorder {
  readonly events: Received[] = [];
  of(name: EventName, memberId?: string, from = 0): Received[] {
    return this.events.slice(from).filter((e) => e.name === name && (memberId === undefined || e.payload.memberId === memberId));
  }
  /** Health statistics of a member (`memory_consumption` / `load_average`). */
  health(memberId: string, description: string, from = 0): Received[] {
    return this.of('MemberHealthStatEvent', memberId, from).filter((e) => e.payload.healthDescription === description);
  }
  /** In-flight request counts of a cluster instance. */
  rif(clusterInstanceId: string, from = 0): Received[] {
    return this.of('InFlightRequestCountEvent', undefined, from).filter((e) => e.payload.clusterInstanceId === clusterInstanceId);
  }
  get size(): number {
    return this.events.length;
  }
}

let broker: EmbeddedBroker;
let clientSeq = 0;
const openBuses: MessageBus[] = [];

function newBus(prefix: string): MessageBus {
  const bus = new MessageBus({ urls: [broker.url], clientId: `${prefix}-${++clientSeq}`, logger: silent });
  openBuses.push(bus);
  return bus;
}

function memberRequest(memberId: string, overrides: Partial<InstanceRequest> = {}): InstanceRequest {
  return {
    memberId,
    clusterId: 'app1.php1.php.domain',
    cartridgeType: 'php',
    applicationId: 'app1',
    clusterInstanceId: 'app1-1',
    networkPartitionId: 'np1',
    provider: 'mock',
    ports: [],
    payload: `APPLICATION_ID=app1,MEMBER_ID=${memberId}`,
    iaas: { properties: {} },
    partition: { id: 'p1', properties: {} },
    ...overrides,
  };
}

/** The identity fields of the member events the cloud controller publishes. */
function identity(r: InstanceRequest) {
  return {
    serviceName: r.cartridgeType,
    clusterId: r.clusterId,
    clusterInstanceId: r.clusterInstanceId,
    networkPartitionId: r.networkPartitionId,
    partitionId: r.partition.id,
    memberId: r.memberId,
  };
}

interface Harness {
  dir: string;
  store: Store;
  /** The cloud controller's bus. */
  cc: MessageBus;
  recorder: Recorder;
  driver: MockIaas;
  /** Starts another driver on the same store (after the first one stopped). */
  newDriver(options?: Partial<MockIaasOptions>): Promise<MockIaas>;
  publish<K extends EventName>(name: K, payload: EventMap[K]): Promise<void>;
  phase(memberId: string): Promise<string | undefined>;
}

async function harness(t: TestContext, options: Partial<MockIaasOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'strato-mock-iaas-'));
  const store = SqliteStore.open(join(dir, 'strato.db'));
  await store.migrate();
  const cc = newBus('cc');
  const recorder = new Recorder();
  const record = (name: EventName, payload: unknown) => void recorder.events.push({ name, payload, at: Date.now() });
  await cc.subscribe('instance/status/#', record);
  await cc.subscribe('health/stat/#', record);
  const drivers: { driver: MockIaas; bus: MessageBus }[] = [];
  const newDriver = async (more: Partial<MockIaasOptions> = {}) => {
    const bus = newBus('strato-mock-iaas');
    const driver = new MockIaas({ store, bus, logger: silent, bootDelayMs: 100, healthIntervalMs: 100, ...options, ...more });
    drivers.push({ driver, bus });
    await driver.start();
    return driver;
  };
  const driver = await newDriver();
  t.after(async () => {
    for (const d of drivers) {
      await d.driver.stop();
      await d.bus.close();
    }
    await cc.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    store,
    cc,
    recorder,
    driver,
    newDriver,
    async publish(name, payload) {
      assert.equal(await cc.publish(name, payload), true, `${name} delivered`);
    },
    async phase(memberId) {
      return (await store.get<MockInstanceRecord>(MOCK_INSTANCE_KIND, memberId, SUPER_TENANT_ID))?.phase;
    },
  };
}

/** Drives a started instance to `active` (MemberInitialized → InstanceStarted → MemberStarted → InstanceActivated). */
async function activate(h: Harness, r: InstanceRequest): Promise<void> {
  await h.publish('MemberInitializedEvent', { ...identity(r), instanceId: r.memberId });
  await waitFor(`InstanceStartedEvent of ${r.memberId}`, () => h.recorder.of('InstanceStartedEvent', r.memberId).length > 0);
  await h.publish('MemberStartedEvent', { ...identity(r), status: 'Starting' });
  await waitFor(`InstanceActivatedEvent of ${r.memberId}`, () => h.recorder.of('InstanceActivatedEvent', r.memberId).length > 0);
}

before(async () => {
  broker = await startEmbeddedBroker({ port: 0 });
});

after(async () => {
  for (const bus of openBuses) await bus.close();
  await broker.close();
});

// ------------------------------------------------------------------------------------ pure parts

describe('mock addresses', () => {
  test('Stratos addresses for the first 254, then roll over into the next octets', () => {
    assert.equal(mockIpAddress(10, 1), '10.0.0.1');
    assert.equal(mockIpAddress(20, 1), '20.0.0.1');
    assert.equal(mockIpAddress(10, 254), '10.0.0.254');
    assert.equal(mockIpAddress(10, 255), '10.0.1.1');
    assert.equal(mockIpAddress(10, 508), '10.0.1.254');
    assert.equal(mockIpAddress(10, 509), '10.0.2.1');
    assert.equal(mockIpAddress(10, 254 * 256), '10.0.255.254');
    assert.equal(mockIpAddress(10, 254 * 256 + 1), '10.1.0.1');
    assert.equal(mockIpAddress(10, MAX_MOCK_ADDRESS_SEQUENCE), '10.255.255.254');
    assert.throws(() => mockIpAddress(10, 0), /out of range/);
    assert.throws(() => mockIpAddress(10, MAX_MOCK_ADDRESS_SEQUENCE + 1), /out of range/);
  });

  test('addresses are unique over the whole sequence', () => {
    const seen = new Set<string>();
    for (let n = 1; n <= 3 * 254 * 256; n += 7) seen.add(mockIpAddress(10, n));
    assert.equal(seen.size, Math.ceil((3 * 254 * 256) / 7));
  });
});

describe('mock patterns', () => {
  const pattern = (mode: MockPattern['mode']): MockPattern => ({
    factor: 'memory-consumption',
    mode,
    sampleValues: [10, 20, 30],
    sampleDuration: 2,
  });

  test('each value lasts sampleDuration seconds, the first at once', () => {
    const p = pattern('loop');
    assert.equal(patternValue(p, 0), 10);
    assert.equal(patternValue(p, 1_999), 10);
    assert.equal(patternValue(p, 2_000), 20);
    assert.equal(patternValue(p, 5_999), 30);
  });

  test('loop restarts, continue keeps the last value, stop removes the factor', () => {
    assert.deepEqual(
      [6_000, 8_000, 12_000, 14_000].map((t) => patternValue(pattern('loop'), t)),
      [10, 20, 10, 20],
    );
    assert.deepEqual(
      [4_000, 6_000, 60_000].map((t) => patternValue(pattern('continue'), t)),
      [30, 30, 30],
    );
    assert.deepEqual(
      [4_000, 6_000, 60_000].map((t) => patternValue(pattern('stop'), t)),
      [30, undefined, undefined],
    );
  });

  test('fractional durations', () => {
    const p: MockPattern = { factor: 'load-average', mode: 'loop', sampleValues: [1, 2], sampleDuration: 0.05 };
    assert.deepEqual(
      [0, 49, 50, 100, 149].map((t) => patternValue(p, t)),
      [1, 1, 2, 1, 1],
    );
  });

  test('no pattern: defaults 20/20/1; with patterns, factors without one are not published', () => {
    assert.deepEqual(factorValues(undefined, 0), { memoryConsumption: 20, loadAverage: 20, requestsInFlight: 1 });
    assert.deepEqual(factorValues([], 0), { memoryConsumption: 20, loadAverage: 20, requestsInFlight: 1 });
    const patterns: MockPattern[] = [
      { factor: 'load-average', mode: 'stop', sampleValues: [5], sampleDuration: 1 },
      { factor: 'requests-in-flight', mode: 'continue', sampleValues: [3, 4], sampleDuration: 1 },
    ];
    assert.deepEqual(factorValues(patterns, 0), { loadAverage: 5, requestsInFlight: 3 });
    assert.deepEqual(factorValues(patterns, 1_000), { requestsInFlight: 4 });
    assert.deepEqual(factorValues(patterns, 99_000), { requestsInFlight: 4 });
  });

  test('the pattern clock pauses while a type has no instances and is not reset', () => {
    const clock = new PatternClock();
    assert.equal(clock.elapsed(500), 0);
    clock.resume(1_000);
    clock.resume(1_500); // already running: no effect
    assert.equal(clock.elapsed(3_000), 2_000);
    clock.pause(3_000);
    assert.equal(clock.elapsed(10_000), 2_000);
    clock.resume(10_000);
    assert.equal(clock.elapsed(10_500), 2_500);
  });

  test('the file is validated with errors naming the path and the field', () => {
    const ok = parseMockPatterns({ cartridges: { php: [{ factor: 'load-average', mode: 'loop', sampleValues: '1, 2,3', sampleDuration: 0.5 }] } }, 'x.json');
    assert.deepEqual(ok.cartridges.php[0].sampleValues, [1, 2, 3]);
    const bad: [unknown, RegExp][] = [
      [[], /x\.json: \(root\)/],
      [{ cartridges: [] }, /x\.json: cartridges must be an object/],
      [{ cartridges: { php: {} } }, /cartridges\.php must be a list/],
      [{ cartridges: { php: [{ factor: 'cpu', mode: 'loop', sampleValues: [1], sampleDuration: 1 }] } }, /cartridges\.php\[0\]\.factor/],
      [{ cartridges: { php: [{ factor: 'load-average', mode: 'again', sampleValues: [1], sampleDuration: 1 }] } }, /\.mode/],
      [{ cartridges: { php: [{ factor: 'load-average', mode: 'loop', sampleValues: [], sampleDuration: 1 }] } }, /\.sampleValues/],
      [{ cartridges: { php: [{ factor: 'load-average', mode: 'loop', sampleValues: [1.5], sampleDuration: 1 }] } }, /\.sampleValues/],
      [{ cartridges: { php: [{ factor: 'load-average', mode: 'loop', sampleValues: [1], sampleDuration: 0 }] } }, /\.sampleDuration/],
      [
        {
          cartridges: {
            php: [
              { factor: 'load-average', mode: 'loop', sampleValues: [1], sampleDuration: 1 },
              { factor: 'load-average', mode: 'stop', sampleValues: [1], sampleDuration: 1 },
            ],
          },
        },
        /cartridges\.php\[1\]\.factor repeats/,
      ],
    ];
    for (const [json, message] of bad) assert.throws(() => parseMockPatterns(json, 'x.json'), message);
  });

  test('loadMockPatterns reads a file; unset means no patterns; errors name the path', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'strato-mock-patterns-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    assert.deepEqual(loadMockPatterns(undefined), { cartridges: {} });
    const file = join(dir, 'mock-iaas.json');
    writeFileSync(file, JSON.stringify({ cartridges: { php: [{ factor: 'memory-consumption', mode: 'continue', sampleValues: [7], sampleDuration: 1 }] } }));
    assert.equal(loadMockPatterns(file).cartridges.php[0].factor, 'memory-consumption');
    writeFileSync(file, '{ nope');
    assert.throws(
      () => loadMockPatterns(file),
      (e: Error) => e.message.includes(file) && /not valid JSON/.test(e.message),
    );
    assert.throws(() => loadMockPatterns(join(dir, 'missing.json')), /missing\.json cannot be read/);
  });

  test('settings: defaults, values, errors naming the variable', (t) => {
    const defaults = loadMockIaasSettings({});
    assert.equal(defaults.bootDelayMs, 1_000);
    assert.equal(defaults.healthIntervalMs, 15_000);
    assert.equal(defaults.patternsFile, undefined);
    assert.deepEqual(defaults.patterns, { cartridges: {} });
    const dir = mkdtempSync(join(tmpdir(), 'strato-mock-settings-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'p.json');
    writeFileSync(file, JSON.stringify({ cartridges: {} }));
    const set = loadMockIaasSettings({ STRATO_MOCK_BOOT_DELAY: '0', STRATO_MOCK_HEALTH_INTERVAL: '500', STRATO_MOCK_IAAS_CONFIG: file });
    assert.deepEqual([set.bootDelayMs, set.healthIntervalMs, set.patternsFile], [0, 500, file]);
    assert.throws(() => loadMockIaasSettings({ STRATO_MOCK_BOOT_DELAY: '-1' }), /STRATO_MOCK_BOOT_DELAY/);
    assert.throws(() => loadMockIaasSettings({ STRATO_MOCK_HEALTH_INTERVAL: '0' }), /STRATO_MOCK_HEALTH_INTERVAL/);
    assert.throws(() => loadMockIaasSettings({ STRATO_MOCK_HEALTH_INTERVAL: 'soon' }), /STRATO_MOCK_HEALTH_INTERVAL/);
  });
});

// ------------------------------------------------------------------------------------ the driver

describe('mock IaaS driver', () => {
  test('instance id = member id, Stratos addresses, persisted before answering, idempotent start', async (t) => {
    const h = await harness(t);
    assert.equal(h.driver.name, 'mock');
    assert.doesNotThrow(() => h.driver.validatePartition());
    const info = await h.driver.startInstance(memberRequest('m1'));
    assert.deepEqual(info, {
      instanceId: 'm1',
      memberId: 'm1',
      defaultPrivateIP: '10.0.0.1',
      defaultPublicIP: '20.0.0.1',
      memberPrivateIPs: ['10.0.0.1'],
      memberPublicIPs: ['20.0.0.1'],
    });
    const stored = await h.store.get<MockInstanceRecord>(MOCK_INSTANCE_KIND, 'm1', SUPER_TENANT_ID);
    assert.equal(stored?.phase, 'booting');
    assert.equal(stored?.payload, 'APPLICATION_ID=app1,MEMBER_ID=m1');
    assert.deepEqual(await h.driver.startInstance(memberRequest('m1')), info, 'asking again answers the same instance');
    const [a, b] = await Promise.all([h.driver.startInstance(memberRequest('m2')), h.driver.startInstance(memberRequest('m2'))]);
    assert.deepEqual(a, b, 'concurrent requests for one member make one instance');
    assert.equal(a.defaultPrivateIP, '10.0.0.2');
    assert.equal((await h.driver.startInstance(memberRequest('m3'))).defaultPublicIP, '20.0.0.3');
    assert.deepEqual((await h.driver.listInstances()).map((i) => i.memberId).sort(), ['m1', 'm2', 'm3']);
    await assert.rejects(h.driver.startInstance(memberRequest('')), /member id/);
  });

  test('the whole conversation: started after the boot delay, activated, statistics 20/20/1, graceful shutdown', async (t) => {
    const h = await harness(t, { bootDelayMs: 150, healthIntervalMs: 100 });
    const r = memberRequest('c1');
    await h.driver.startInstance(r);
    await h.driver.startInstance(memberRequest('other', { clusterInstanceId: 'app1-2' }));

    const initializedAt = Date.now();
    await h.publish('MemberInitializedEvent', { ...identity(r), instanceId: 'c1', defaultPrivateIP: '10.0.0.1' });
    const [started] = await waitFor('InstanceStartedEvent', () => h.recorder.of('InstanceStartedEvent', 'c1'));
    assert.ok(started.at - initializedAt >= 150, `InstanceStarted came ${started.at - initializedAt} ms after MemberInitialized`);
    assert.deepEqual(started.payload, { applicationId: 'app1', ...identity(r), instanceId: 'c1' });
    await waitFor('phase starting', async () => (await h.phase('c1')) === 'starting');
    assert.equal(h.recorder.of('MemberHealthStatEvent').length, 0, 'no statistics before activation');

    await h.publish('MemberStartedEvent', { ...identity(r), status: 'Starting' });
    const [activated] = await waitFor('InstanceActivatedEvent', () => h.recorder.of('InstanceActivatedEvent', 'c1'));
    assert.deepEqual(activated.payload, { ...identity(r), instanceId: 'c1' });
    await waitFor('phase active', async () => (await h.phase('c1')) === 'active');

    const mc = await waitFor(
      '3 memory statistics',
      () => h.recorder.health('c1', 'memory_consumption').length >= 3 && h.recorder.health('c1', 'memory_consumption'),
    );
    const { timestamp, ...fields } = mc[0].payload;
    assert.equal(typeof timestamp, 'number');
    assert.deepEqual(fields, {
      clusterId: r.clusterId,
      clusterInstanceId: 'app1-1',
      networkPartitionId: 'np1',
      memberId: 'c1',
      partitionId: 'p1',
      healthDescription: 'memory_consumption',
      value: 20,
    });
    assert.ok(h.recorder.health('c1', 'load_average').every((e) => e.payload.value === 20));
    const rif = h.recorder.rif('app1-1');
    assert.ok(rif.length >= 2);
    assert.deepEqual((({ timestamp: _t, ...rest }) => rest)(rif[0].payload), {
      clusterId: r.clusterId,
      clusterInstanceId: 'app1-1',
      networkPartitionId: 'np1',
      inFlightRequestCount: 1,
    });
    // The cadence by the driver's own timestamps (arrival times jitter with the broker): sample i
    // falls due exactly i intervals after the first one was due, and goes out at the next tick.
    const offsets = mc.map((e) => e.payload.timestamp - mc[0].payload.timestamp);
    assert.ok(
      offsets.every((o, i) => Math.abs(o - i * 100) <= 90),
      `statistics every 100 ms, got offsets ${offsets.join(', ')}`,
    );
    assert.equal(h.recorder.of('MemberHealthStatEvent', 'other').length, 0, 'a booting instance publishes no statistics');

    await h.publish('InstanceCleanupMemberEvent', { memberId: 'c1' });
    const [maintenance] = await waitFor('InstanceMaintenanceModeEvent', () => h.recorder.of('InstanceMaintenanceModeEvent', 'c1'));
    assert.deepEqual(maintenance.payload, { ...identity(r), instanceId: 'c1' });
    await h.publish('MemberMaintenanceModeEvent', identity(r));
    const [ready] = await waitFor('InstanceReadyToShutdownEvent', () => h.recorder.of('InstanceReadyToShutdownEvent', 'c1'));
    assert.deepEqual(ready.payload, { ...identity(r), instanceId: 'c1' });
    assert.equal(h.recorder.of('InstanceMaintenanceModeEvent', 'c1').length, 1, 'one maintenance event for one cleanup');
    await waitFor('phase readyToShutdown', async () => (await h.phase('c1')) === 'readyToShutdown');

    // Once ready to shut down, further cleanups are not answered (Stratos's "gracefully shut down").
    const mark = h.recorder.size;
    await h.publish('InstanceCleanupMemberEvent', { memberId: 'c1' });
    await h.publish('InstanceCleanupMemberEvent', { memberId: 'other' }); // marker, published after
    await waitFor('marker', () => h.recorder.of('InstanceMaintenanceModeEvent', 'other', mark).length === 1);
    assert.equal(h.recorder.of('InstanceMaintenanceModeEvent', 'c1', mark).length, 0);
    assert.equal(h.recorder.of('InstanceStartedEvent', 'other').length, 0, 'no MemberInitialized, no InstanceStarted');
  });

  test('InstanceCleanupClusterEvent cleans up the instances of that cluster instance only', async (t) => {
    const h = await harness(t, { bootDelayMs: 0 });
    const a = memberRequest('a');
    const b = memberRequest('b');
    const c = memberRequest('c', { clusterInstanceId: 'app1-2' });
    const d = memberRequest('d', { clusterId: 'app1.other.php.domain' });
    for (const r of [a, b, c, d]) {
      await h.driver.startInstance(r);
      await activate(h, r);
    }
    await h.publish('InstanceCleanupClusterEvent', { clusterId: a.clusterId, clusterInstanceId: 'app1-1' });
    await h.publish('InstanceCleanupMemberEvent', { memberId: 'd' }); // marker
    await waitFor('maintenance of d', () => h.recorder.of('InstanceMaintenanceModeEvent', 'd').length === 1);
    assert.deepEqual(
      h.recorder
        .of('InstanceMaintenanceModeEvent')
        .map((e) => e.payload.memberId)
        .sort(),
      ['a', 'b', 'd'],
    );
    await h.publish('MemberMaintenanceModeEvent', identity(a));
    await waitFor('ready of a', () => h.recorder.of('InstanceReadyToShutdownEvent', 'a').length === 1);
  });

  test('kill: the instance falls silent (no statistics, no events) but exists until terminated', async (t) => {
    const h = await harness(t, { bootDelayMs: 0, healthIntervalMs: 50 });
    const dead = memberRequest('dead');
    const alive = memberRequest('alive');
    for (const r of [dead, alive]) {
      await h.driver.startInstance(r);
      await activate(h, r);
    }
    await waitFor('statistics of both', () => h.recorder.health('dead', 'load_average').length > 0 && h.recorder.health('alive', 'load_average').length > 0);
    assert.equal(await h.driver.kill('dead'), true);
    assert.equal(await h.driver.kill('nobody'), false);
    assert.equal(await h.phase('dead'), 'killed');
    // The driver publishes in order: once the healthy one has published again, nothing of the dead one is still queued.
    let from = h.recorder.size;
    await waitFor('one more interval of the healthy instance', () => h.recorder.health('alive', 'load_average', from).length >= 1);
    from = h.recorder.size;
    await h.publish('InstanceCleanupMemberEvent', { memberId: 'dead' });
    await h.publish('MemberStartedEvent', identity(dead));
    await waitFor('five intervals of the healthy instance', () => h.recorder.health('alive', 'load_average', from).length >= 5);
    await h.publish('InstanceCleanupMemberEvent', { memberId: 'alive' }); // marker after the dead one's cleanup
    await waitFor('maintenance of alive', () => h.recorder.of('InstanceMaintenanceModeEvent', 'alive').length === 1);
    assert.deepEqual(
      h.recorder.events.slice(from).filter((e) => e.payload.memberId === 'dead'),
      [],
      'nothing from the killed instance',
    );
    assert.deepEqual((await h.driver.listInstances()).map((i) => i.memberId).sort(), ['alive', 'dead']);
    assert.equal(h.driver.describeInstance('dead')?.phase, 'killed');

    await h.driver.terminateInstance('dead');
    assert.deepEqual(
      (await h.driver.listInstances()).map((i) => i.memberId),
      ['alive'],
    );
    assert.equal(await h.phase('dead'), undefined);
  });

  test('terminate stops the activity and removes the instance; unknown ids are fine; no events', async (t) => {
    const h = await harness(t, { bootDelayMs: 0, healthIntervalMs: 50 });
    const gone = memberRequest('gone');
    const stays = memberRequest('stays');
    for (const r of [gone, stays]) {
      await h.driver.startInstance(r);
      await activate(h, r);
    }
    await waitFor('statistics of gone', () => h.recorder.health('gone', 'memory_consumption').length > 0);
    const eventsBefore = h.recorder.events.filter((e) => e.name.startsWith('Instance')).length;
    await h.driver.terminateInstance('gone');
    await h.driver.terminateInstance('gone');
    await h.driver.terminateInstance('never-existed');
    assert.deepEqual(
      (await h.driver.listInstances()).map((i) => i.memberId),
      ['stays'],
    );
    assert.equal(await h.phase('gone'), undefined);
    assert.equal(h.driver.describeInstance('gone'), undefined);
    let from = h.recorder.size;
    await waitFor('an interval of the other instance', () => h.recorder.health('stays', 'memory_consumption', from).length >= 1);
    from = h.recorder.size;
    await waitFor('three more intervals', () => h.recorder.health('stays', 'memory_consumption', from).length >= 3);
    assert.equal(h.recorder.of('MemberHealthStatEvent', 'gone', from).length, 0);
    assert.equal(h.recorder.events.filter((e) => e.name.startsWith('Instance')).length, eventsBefore, 'terminate publishes nothing');
    // A terminated member asked for again is a new instance with new addresses.
    assert.equal((await h.driver.startInstance(gone)).defaultPrivateIP, '10.0.0.3');
  });

  test('restart: a new driver on the same store resumes every instance where it was', async (t) => {
    const h = await harness(t, { bootDelayMs: 100, healthIntervalMs: 50 });
    const booting = memberRequest('booting');
    const starting = memberRequest('starting');
    const active = memberRequest('active');
    const maintenance = memberRequest('maintenance');
    const killed = memberRequest('killed');
    for (const r of [booting, starting, active, maintenance, killed]) await h.driver.startInstance(r);
    await h.publish('MemberInitializedEvent', identity(starting));
    await waitFor('started', () => h.recorder.of('InstanceStartedEvent', 'starting').length === 1);
    for (const r of [active, maintenance, killed]) await activate(h, r);
    await h.publish('InstanceCleanupMemberEvent', { memberId: 'maintenance' });
    await waitFor('maintenance', () => h.recorder.of('InstanceMaintenanceModeEvent', 'maintenance').length === 1);
    await h.driver.stop();
    assert.equal(h.driver.isRunning, false);
    assert.equal(await h.driver.kill('killed'), true, 'a stopped driver kills in the store');
    assert.equal(await h.driver.kill('nobody'), false);
    const phases = Object.fromEntries(await Promise.all(['booting', 'starting', 'active', 'maintenance', 'killed'].map(async (m) => [m, await h.phase(m)])));
    assert.deepEqual(phases, { booting: 'booting', starting: 'starting', active: 'active', maintenance: 'maintenance', killed: 'killed' });

    const mark = h.recorder.size;
    const restartedAt = Date.now();
    const driver = await h.newDriver();
    assert.deepEqual((await driver.listInstances()).map((i) => i.memberId).sort(), ['active', 'booting', 'killed', 'maintenance', 'starting']);
    const [started] = await waitFor('InstanceStarted of the booting one', () => h.recorder.of('InstanceStartedEvent', 'booting', mark));
    assert.ok(started.at - restartedAt >= 100, 'after the boot delay');
    await waitFor('InstanceActivated of the starting one', () => h.recorder.of('InstanceActivatedEvent', 'starting', mark).length === 1);
    await waitFor('InstanceReadyToShutdown of the one in maintenance', () => h.recorder.of('InstanceReadyToShutdownEvent', 'maintenance', mark).length === 1);
    await waitFor('statistics of the active one', () => h.recorder.health('active', 'load_average', mark).length >= 2);
    await waitFor('statistics of the newly activated one', () => h.recorder.health('starting', 'load_average', mark).length >= 2);
    // (The first driver's bus may still deliver statistics published before it stopped: look at their timestamps.)
    const since = (e: Received) => e.payload.timestamp >= restartedAt;
    assert.equal(h.recorder.of('MemberHealthStatEvent', 'killed', mark).filter(since).length, 0, 'the killed one stays silent');
    assert.equal(h.recorder.of('MemberHealthStatEvent', 'booting', mark).length, 0, 'not active yet');
    await waitFor(
      'phases persisted',
      async () => (await h.phase('starting')) === 'active' && (await h.phase('maintenance')) === 'readyToShutdown' && (await h.phase('booting')) === 'starting',
    );

    // The address sequences continue; an existing member keeps its addresses.
    assert.equal((await driver.startInstance(booting)).defaultPrivateIP, '10.0.0.1');
    const fresh = await driver.startInstance(memberRequest('fresh'));
    assert.deepEqual([fresh.defaultPrivateIP, fresh.defaultPublicIP], ['10.0.0.6', '20.0.0.6']);
    const addresses = driver.describeInstances().map((i) => i.defaultPrivateIp);
    assert.equal(new Set(addresses).size, addresses.length, 'no duplicate address');

    // The booting one still answers MemberInitialized / MemberStarted after its resumed start.
    await h.publish('MemberStartedEvent', identity(booting));
    await waitFor('InstanceActivated of the formerly booting one', () => h.recorder.of('InstanceActivatedEvent', 'booting', mark).length === 1);
  });

  test('patterns: loop, continue and stop on the cartridge type clock; types without patterns use the defaults', async (t) => {
    let now = 1_000_000;
    const patterns: MockPatterns = {
      cartridges: {
        php: [
          { factor: 'memory-consumption', mode: 'loop', sampleValues: [10, 30], sampleDuration: 0.2 },
          { factor: 'load-average', mode: 'continue', sampleValues: [5, 7], sampleDuration: 0.2 },
          { factor: 'requests-in-flight', mode: 'stop', sampleValues: [3, 4], sampleDuration: 0.2 },
        ],
        mysql: [{ factor: 'load-average', mode: 'loop', sampleValues: [9], sampleDuration: 1 }],
      },
    };
    // A fake clock: statistics fall due when the test moves it on by one interval (100 fake ms).
    const h = await harness(t, { bootDelayMs: 0, healthIntervalMs: 100, patterns, now: () => now });
    const php = memberRequest('php1');
    const tomcat = memberRequest('tomcat1', { cartridgeType: 'tomcat', clusterId: 'app1.tc.tomcat.domain', clusterInstanceId: 'tc-1' });
    const mysql = memberRequest('mysql1', { cartridgeType: 'mysql', clusterId: 'app1.db.mysql.domain', clusterInstanceId: 'db-1' });
    for (const r of [php, tomcat, mysql]) {
      await h.driver.startInstance(r);
      await activate(h, r);
    }
    const samples: { mc?: number; la?: number; rif?: number }[] = [];
    for (let step = 0; step < 8; step++) {
      if (step > 0) now += 100;
      const count = step + 1;
      await waitFor(
        `statistics of step ${step}`,
        () =>
          h.recorder.health('php1', 'load_average').length >= count &&
          h.recorder.health('tomcat1', 'load_average').length >= count &&
          h.recorder.health('mysql1', 'load_average').length >= count,
      );
      const last = (list: Received[]) => (list.length >= count ? list[count - 1].payload : undefined);
      samples.push({
        mc: last(h.recorder.health('php1', 'memory_consumption'))?.value,
        la: last(h.recorder.health('php1', 'load_average'))?.value,
        rif: last(h.recorder.rif('app1-1'))?.inFlightRequestCount,
      });
    }
    // Elapsed on the php clock: 0, 100, ... 700 ms; each value lasts 200 ms.
    assert.deepEqual(
      samples.map((s) => s.mc),
      [10, 10, 30, 30, 10, 10, 30, 30],
      'loop',
    );
    assert.deepEqual(
      samples.map((s) => s.la),
      [5, 5, 7, 7, 7, 7, 7, 7],
      'continue',
    );
    assert.equal(h.recorder.rif('app1-1').length, 4, 'stop: requests in flight no longer published after the last value');
    assert.deepEqual(
      h.recorder.rif('app1-1').map((e) => e.payload.inFlightRequestCount),
      [3, 3, 4, 4],
    );
    assert.ok(
      h.recorder.health('php1', 'load_average').every((e) => e.payload.timestamp >= 1_000_000),
      'timestamps from the clock',
    );
    // tomcat has no patterns: defaults.
    assert.ok(h.recorder.health('tomcat1', 'memory_consumption').every((e) => e.payload.value === 20));
    assert.ok(h.recorder.rif('tc-1').every((e) => e.payload.inFlightRequestCount === 1));
    assert.equal(h.recorder.rif('tc-1').length, 8);
    // mysql has a load-average pattern only: no memory consumption, no requests in flight.
    assert.equal(h.recorder.health('mysql1', 'memory_consumption').length, 0);
    assert.equal(h.recorder.rif('db-1').length, 0);
    assert.ok(h.recorder.health('mysql1', 'load_average').every((e) => e.payload.value === 9));
  });
});

// ------------------------------------------------------------------------------------ REST

describe('mock IaaS API', () => {
  test('status, instances, one instance, 404, kill by DELETE and by POST .../kill, start by POST', async (t) => {
    const h = await harness(t, { bootDelayMs: 0, healthIntervalMs: 50 });
    const app = Fastify({ logger: false });
    const declared: [string, unknown][] = [];
    app.addHook('onRoute', (route) => void declared.push([`${route.method} ${route.url}`, route.config]));
    mockIaasRoutes(app, h.driver);
    t.after(() => app.close());
    // every route declares itself for the super tenant's administrators (the server's hook enforces it)
    assert.ok(declared.length >= 8, JSON.stringify(declared));
    for (const [route, config] of declared) assert.equal((config as { superAdminOnly?: boolean })?.superAdminOnly, true, route);
    const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => {
      const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
      return { status: res.statusCode, body: res.json() };
    };

    assert.deepEqual(await call('GET', '/mock-iaas/api/status'), { status: 200, body: { status: 'success', message: 'Mock IaaS is active' } });
    assert.deepEqual(await call('GET', '/mock-iaas/api/instances'), { status: 200, body: [] });

    const r = memberRequest('rest1');
    await h.driver.startInstance(r);
    await activate(h, r);
    const list = await call('GET', '/mock-iaas/api/instances');
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 1);
    assert.deepEqual(
      (({ instanceId, defaultPrivateIp, defaultPublicIp, payload, memberId, clusterId, phase }) => ({
        instanceId,
        defaultPrivateIp,
        defaultPublicIp,
        payload,
        memberId,
        clusterId,
        phase,
      }))(list.body[0]),
      {
        instanceId: 'rest1',
        defaultPrivateIp: '10.0.0.1',
        defaultPublicIp: '20.0.0.1',
        payload: r.payload,
        memberId: 'rest1',
        clusterId: r.clusterId,
        phase: 'active',
      },
    );
    assert.equal((await call('GET', '/mock-iaas/api/instances/rest1')).body.instanceId, 'rest1');
    assert.deepEqual(await call('GET', '/mock-iaas/api/instances/nope'), {
      status: 404,
      body: { errorCode: 404, errorMessage: 'Mock instance not found: nope' },
    });
    assert.equal((await call('POST', '/mock-iaas/api/instances/rest1/allocateIpAddress')).body.defaultPrivateIp, '10.0.0.1');
    assert.equal((await call('POST', '/mock-iaas/api/instances/nope/allocateIpAddress')).status, 404);

    await waitFor('statistics of rest1', () => h.recorder.health('rest1', 'load_average').length > 0);
    assert.deepEqual(await call('DELETE', '/mock-iaas/api/instances/rest1'), {
      status: 200,
      body: { status: 'success', message: 'Mock instance killed: rest1' },
    });
    assert.equal((await call('GET', '/mock-iaas/api/instances/rest1')).body.phase, 'killed');
    assert.deepEqual(await call('DELETE', '/mock-iaas/api/instances/nope'), {
      status: 200,
      body: { status: 'success', message: 'Mock instance not found: nope' },
    });

    // Stratos's cloud controller started instances by POST /instances.
    const created = await call('POST', '/mock-iaas/api/instances', {
      applicationId: 'app1',
      serviceName: 'php',
      clusterId: r.clusterId,
      memberId: 'rest2',
      clusterInstanceId: 'app1-1',
      networkPartitionId: 'np1',
      partitionId: 'p1',
      payload: 'MEMBER_ID=rest2',
    });
    assert.equal(created.status, 200);
    assert.deepEqual([created.body.instanceId, created.body.defaultPublicIp, created.body.phase], ['rest2', '20.0.0.2', 'booting']);
    assert.equal((await call('POST', '/mock-iaas/api/instances', { serviceName: 'php' })).status, 400);
    await activate(h, memberRequest('rest2'));
    assert.equal((await call('POST', '/mock-iaas/api/instances/rest2/kill')).body.message, 'Mock instance killed: rest2');
    assert.equal(h.driver.describeInstance('rest2')?.phase, 'killed');

    await h.driver.stop();
    assert.deepEqual(await call('GET', '/mock-iaas/api/status'), { status: 503, body: { errorCode: 503, errorMessage: 'Mock IaaS is not started' } });
  });
});

// ------------------------------------------------------------------------------------ access

describe('mock IaaS API access (a real server)', () => {
  /** Every route of the mock IaaS API, with a body where it takes one. */
  const ROUTES: [string, string, unknown?][] = [
    ['GET', '/mock-iaas/api/status'],
    ['GET', '/mock-iaas/api/instances'],
    ['GET', '/mock-iaas/api/instances/some-member'],
    ['POST', '/mock-iaas/api/instances', { memberId: 'intruder-1', serviceName: 'php', payload: 'X=1' }],
    ['POST', '/mock-iaas/api/failures', { startInstance: 5, terminateInstance: 5 }],
    ['POST', '/mock-iaas/api/instances/some-member/allocateIpAddress', ''],
    ['DELETE', '/mock-iaas/api/instances/some-member'],
    ['POST', '/mock-iaas/api/instances/some-member/kill', ''],
    // other spellings the router takes for the same routes
    ['GET', '/%6Dock-iaas/api/instances'],
    ['GET', '//mock-iaas//api/instances/'],
    ['HEAD', '/mock-iaas/api/instances'],
  ];
  const ACME = { tenantDomain: 'acme.com', admin: 'bob', adminPassword: 'bob-pw-1', firstName: 'Bob', lastName: 'A', email: 'bob@acme.com' };
  const BOB = kit.basic('bob@acme.com', 'bob-pw-1');
  const CAROL = kit.basic('carol', 'carol-pw-1'); // a plain user of the super tenant

  test('401 without credentials, 403 for anyone but a super-tenant admin; nothing happens', async (t) => {
    // wrong passwords are tried on every route: no throttling here
    const server = await kit.startTestServer({ mbPort: 0 }, { STRATO_LOGIN_FAILURE_LIMIT: '1000', STRATO_LOGIN_IP_FAILURE_LIMIT: '1000' });
    t.after(() => server.stop());
    assert.equal((await server.call('POST', '/api/tenants', ACME)).status, 201);
    assert.equal((await server.call('POST', '/api/users', { userName: 'carol', credential: 'carol-pw-1', role: 'user' })).status, 201);

    for (const [method, path, body] of ROUTES) {
      const what = `${method} ${path}`;
      const anonymous = await server.call(method, path, body, null);
      assert.equal(anonymous.status, 401, `${what}: ${JSON.stringify(anonymous.body)}`);
      assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic/, what);
      if (method !== 'HEAD') assert.deepEqual(Object.keys(anonymous.body), ['status', 'message', 'code'], what);
      for (const [who, auth] of [
        ['a tenant admin', BOB],
        ['a super-tenant user', CAROL],
      ]) {
        const res = await server.call(method, path, body, auth);
        assert.equal(res.status, 403, `${what} as ${who}: ${JSON.stringify(res.body)}`);
        if (method !== 'HEAD') assert.match(res.body.message, /super tenant/, what);
      }
      const wrong = await server.call(method, path, body, kit.basic('admin', 'wrong'));
      assert.equal(wrong.status, 401, `${what} with a wrong password`);
    }
    assert.deepEqual(await server.mockIaas.listInstances(), [], 'no instance was started');
    assert.deepEqual(server.mockIaas.failNext({}), { startInstance: 0, terminateInstance: 0 }, 'no failure was injected');

    // the super tenant's admin may
    for (const [method, path, body] of ROUTES) {
      const res = await server.call(method, path, body);
      assert.ok(res.status < 500 && res.status !== 401 && res.status !== 403, `${method} ${path} as admin: ${res.status} ${JSON.stringify(res.body)}`);
    }
    assert.deepEqual(
      (await server.mockIaas.listInstances()).map((i) => i.memberId),
      ['intruder-1'],
      'admin started one',
    );
  });

  test('404 when no provider is bound to the mock driver (401 without credentials, as any unknown path)', async (t) => {
    const server = await kit.startTestServer({ mbPort: 0 }, { STRATO_IAAS_PROVIDERS: 'kubernetes=kubernetes' });
    t.after(() => server.stop());
    for (const [method, path, body] of ROUTES) {
      const res = await server.call(method, path, body);
      assert.equal(res.status, 404, `${method} ${path} as admin: ${JSON.stringify(res.body)}`);
      assert.equal((await server.call(method, path, body, null)).status, 401, `${method} ${path} without credentials`);
    }
    assert.deepEqual(await server.mockIaas.listInstances(), []);
  });
});
