/**
 * The embedded broker with a BrokerAuthority: who gets in, and what each identity may publish and
 * subscribe — with real mqtt.js clients on a real aedes broker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import {
  BrokerAuthority,
  MessageBus,
  clusterIdOfMember,
  filterCovers,
  hashPassword,
  memberPassword,
  startEmbeddedBroker,
  verifyPassword,
  type EmbeddedBroker,
} from '../src/index.ts';
import { waitFor } from '@strato/testing';
import { memoryLogger } from '@strato/testing/messaging';

const secret = Buffer.from('0123456789abcdef0123456789abcdef');
const cp = { username: 'strato-control-plane', password: 'cp-password-123456' };
const sim = { username: 'strato-mock-iaas', password: 'sim-password-123456' };
const clusterId = 'app1.php1.php.domain';
const memberA = `${clusterId}${randomUUID()}`;
const memberB = `${clusterId}${randomUUID()}`;

async function setup(t: import('node:test').TestContext) {
  const { logger, records } = memoryLogger('debug');
  const authority = new BrokerAuthority({
    controlPlane: cp,
    simulator: sim,
    memberSecret: secret,
    operators: [
      { username: 'viewer', role: 'read', passwordHash: await hashPassword('viewer-password') },
      { username: 'admin-tool', role: 'full', passwordHash: await hashPassword('admin-tool-password') },
    ],
    logger,
  });
  const broker = await startEmbeddedBroker({ auth: authority });
  t.after(() => broker.close());
  return { broker, authority, records };
}

async function client(t: import('node:test').TestContext, broker: EmbeddedBroker, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2_000, ...options });
  t.after(() => c.endAsync(true));
  return c;
}

async function refused(broker: EmbeddedBroker, options: mqtt.IClientOptions): Promise<number | undefined> {
  try {
    const c = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2_000, ...options });
    await c.endAsync(true);
    return undefined;
  } catch (e) {
    return (e as { code?: number }).code;
  }
}

function closed(c: MqttClient): Promise<void> {
  return new Promise((resolve) => (c.connected ? c.once('close', () => resolve()) : resolve()));
}

const status = (memberId: string) =>
  JSON.stringify({
    serviceName: 'php',
    clusterId: clusterIdOfMember(memberId),
    clusterInstanceId: 'app1-1',
    memberId,
    networkPartitionId: 'np',
    partitionId: 'p',
  });

test('anonymous clients, wrong passwords, unknown users and forged member passwords are refused', async (t) => {
  const { broker, records } = await setup(t);
  assert.equal(await refused(broker, {}), 5, 'anonymous: not authorized');
  assert.equal(await refused(broker, { username: cp.username, password: 'wrong' }), 4);
  assert.equal(await refused(broker, { username: cp.username }), 5, 'a user name without password');
  assert.equal(await refused(broker, { username: 'nobody', password: 'whatever' }), 4);
  assert.equal(await refused(broker, { username: 'viewer', password: 'not-the-viewer-password' }), 4);
  assert.equal(await refused(broker, { username: memberA, password: memberPassword(secret, memberB) }), 4, "another member's password");
  assert.equal(await refused(broker, { username: memberA, password: memberPassword(Buffer.from('another-secret-0123456789'), memberA) }), 4);
  // the control plane's client ids are reserved
  assert.equal(await refused(broker, { username: memberA, password: memberPassword(secret, memberA), clientId: 'strato-cp-1' }), 2);
  assert.equal(await refused(broker, { username: 'viewer', password: 'viewer-password', clientId: 'strato-mock-1' }), 2);
  for (const ok of [cp, sim, { username: 'viewer', password: 'viewer-password' }, { username: memberA, password: memberPassword(secret, memberA) }]) {
    assert.equal(await refused(broker, ok), undefined, ok.username);
  }
  const text = JSON.stringify(records);
  for (const pw of [
    cp.password,
    sim.password,
    'viewer-password',
    memberPassword(secret, memberA),
    memberPassword(secret, memberB),
    'not-the-viewer-password',
  ]) {
    assert.ok(!text.includes(pw), 'no password in the log');
  }
  assert.ok(records.some((r) => r.msg === 'message broker refused an anonymous client'));
  // a refused user name is logged as a fingerprint (it may be a password typed in the wrong field)
  const refusedLogins = records.filter((r) => r.msg === 'message broker refused a client: wrong user name or password');
  assert.ok(refusedLogins.length >= 5 && refusedLogins.every((r) => /^[0-9a-f]{12}$/.test(String(r.userFingerprint)) && !('user' in r)));
  assert.ok(!text.includes('nobody'));
});

test('a member publishes only about itself, on the topics an agent publishes; it subscribes only what an agent subscribes', async (t) => {
  const { broker, records } = await setup(t);
  const observer = await client(t, broker, cp);
  const seen: Array<{ topic: string; memberId?: string }> = [];
  observer.on('message', (topic, payload) => seen.push({ topic, memberId: JSON.parse(payload.toString()).memberId }));
  await observer.subscribeAsync('#', { qos: 1 });

  const a = await client(t, broker, { username: memberA, password: memberPassword(secret, memberA) });
  const granted = await a.subscribeAsync({ 'topology/#': { qos: 1 }, 'instance/#': { qos: 1 }, 'tenant/+': { qos: 1 } });
  assert.deepEqual(
    granted.map((g) => [g.topic, g.qos]),
    [
      ['topology/#', 1],
      ['instance/#', 1],
      ['tenant/+', 1],
    ],
  );
  for (const filter of ['#', 'health/stat/#', '+/MemberActivatedEvent', 'application/#']) {
    // SUBACK 0x80: mqtt.js rejects the subscription
    await assert.rejects(a.subscribeAsync(filter, { qos: 1 }), /Subscribe error/, filter);
  }

  await a.publishAsync('instance/status/InstanceActivatedEvent', status(memberA), { qos: 1 });
  await a.publishAsync('initializer/CompleteTopologyRequestEvent', '{}', { qos: 1 });
  await waitFor("the member's own events", () => seen.length === 2, { timeoutMs: 2_000, everyMs: 5 });

  // another member's event: the broker closes the connection and routes nothing
  const gone = closed(a);
  a.publish('instance/status/InstanceReadyToShutdownEvent', status(memberB), { qos: 1 });
  await gone;
  assert.ok(records.some((r) => r.msg === 'message broker refused a publish' && r.user === memberA && /memberId/.test(String(r.reason))));

  // a topic no agent publishes on
  const a2 = await client(t, broker, { username: memberA, password: memberPassword(secret, memberA) });
  const gone2 = closed(a2);
  a2.publish('topology/MemberTerminatedEvent', status(memberA), { qos: 1 });
  await gone2;

  // a marker from the control plane: everything published before it has been routed
  await observer.publishAsync('instance/notifier/InstanceCleanupMemberEvent', JSON.stringify({ memberId: 'marker' }), { qos: 1 });
  await waitFor('the marker', () => seen.some((s) => s.memberId === 'marker'), { timeoutMs: 2_000, everyMs: 5 });
  assert.deepEqual(
    seen.map((s) => s.topic),
    ['instance/status/InstanceActivatedEvent', 'initializer/CompleteTopologyRequestEvent', 'instance/notifier/InstanceCleanupMemberEvent'],
  );
});

test('operators: read subscribes to everything and publishes nothing; full does both', async (t) => {
  const { broker } = await setup(t);
  const viewer = await client(t, broker, { username: 'viewer', password: 'viewer-password' });
  assert.deepEqual(
    (await viewer.subscribeAsync('#', { qos: 1 })).map((g) => g.qos),
    [1],
  );
  const gone = closed(viewer);
  viewer.publish('instance/status/InstanceReadyToShutdownEvent', status(memberA), { qos: 1 });
  await gone;
  const tool = await client(t, broker, { username: 'admin-tool', password: 'admin-tool-password' });
  await tool.publishAsync('topology/MemberTerminatedEvent', '{}', { qos: 1 });
});

test('the message bus speaks with its credentials; a bus without them never connects', async (t) => {
  const { broker } = await setup(t);
  const good = new MessageBus({ urls: [broker.url], ...cp, retryIntervalMs: 20 });
  const bad = new MessageBus({ urls: [broker.url], retryIntervalMs: 20 });
  const inUrl = new MessageBus({ urls: [broker.url.replace('mqtt://', `mqtt://${sim.username}:${sim.password}@`)], retryIntervalMs: 20 });
  t.after(() => Promise.all([good.close(), bad.close(), inUrl.close()]));
  assert.equal(await good.publish('InstanceCleanupMemberEvent', { memberId: 'm' }), true);
  await waitFor('the bus with credentials in its URL', () => inUrl.connected, { timeoutMs: 2_000, everyMs: 5 });
  assert.ok(!inUrl.currentUrl.includes(sim.password));
  assert.equal(bad.connected, false);
});

test('filter coverage, member ids, password hashes', async () => {
  assert.ok(filterCovers('topology/#', 'topology/MemberActivatedEvent'));
  assert.ok(filterCovers('topology/#', 'topology/+'));
  assert.ok(filterCovers('topology/#', 'topology'));
  assert.ok(filterCovers('instance/#', 'instance/+/InstanceStartedEvent'));
  assert.ok(!filterCovers('topology/#', '#'));
  assert.ok(!filterCovers('topology/#', '+/MemberActivatedEvent'));
  assert.ok(!filterCovers('instance/notifier/#', 'instance/#'));
  assert.ok(!filterCovers('a/+', 'a/#'));
  assert.equal(clusterIdOfMember(memberA), clusterId);
  assert.equal(clusterIdOfMember('viewer'), undefined);
  assert.match(memberPassword(secret, memberA), /^[A-Za-z0-9_-]{43}$/);
  const hash = await hashPassword('correct horse');
  assert.match(hash, /^scrypt\$16384\$8\$1\$/);
  assert.equal(await verifyPassword('correct horse', hash), true);
  assert.equal(await verifyPassword('correct horsf', hash), false);
  assert.equal(await verifyPassword('x', 'scrypt$1$1$1$AAAA$BBBB'), false);
});

test('operator passwords: at most four scrypt checks at once; a verified password is not checked again', async () => {
  const authority = new BrokerAuthority({
    controlPlane: cp,
    memberSecret: secret,
    operators: [{ username: 'viewer', role: 'read', passwordHash: await hashPassword('viewer-password') }],
  });
  const guesses = Array.from({ length: 10 }, (_, i) =>
    authority.authenticate('viewer', `guess-${i}`).then(
      (id) => id ?? 'refused',
      () => 'busy',
    ),
  );
  const outcomes = await Promise.all(guesses);
  assert.deepEqual(outcomes, [...Array(4).fill('refused'), ...Array(6).fill('busy')]);
  assert.deepEqual(await authority.authenticate('viewer', 'viewer-password'), { role: 'operator-read', name: 'viewer' });
  // verified once: the same password passes without scrypt, even while checks are saturated
  const busy = Array.from({ length: 4 }, () => authority.authenticate('viewer', 'wrong-one').catch(() => undefined));
  assert.deepEqual(await authority.authenticate('viewer', 'viewer-password'), { role: 'operator-read', name: 'viewer' });
  assert.equal(await authority.authenticate('viewer', 'viewer-passwore').catch(() => 'busy'), 'busy');
  await Promise.all(busy);
});

test('who may publish and subscribe what (every role)', async () => {
  const authority = new BrokerAuthority({
    controlPlane: cp,
    simulator: sim,
    memberSecret: secret,
    operators: [
      { username: 'viewer', role: 'read', passwordHash: await hashPassword('viewer-password') },
      { username: 'admin-tool', role: 'full', passwordHash: await hashPassword('admin-tool-password') },
    ],
  });
  const who = async (username: string, password: string) => (await authority.authenticate(username, password))!;
  const roles = {
    cp: await who(cp.username, cp.password),
    sim: await who(sim.username, sim.password),
    read: await who('viewer', 'viewer-password'),
    full: await who('admin-tool', 'admin-tool-password'),
    member: await who(memberA, memberPassword(secret, memberA)),
  };
  const own = status(memberA);
  const other = status(memberB);
  const inflight = (c: string | undefined) => JSON.stringify({ clusterId: c, clusterInstanceId: 'app1-1', networkPartitionId: 'np', inFlightRequestCount: 3 });
  const cases: Array<[string, string, Record<keyof typeof roles, boolean>]> = [
    ['instance/status/InstanceReadyToShutdownEvent', own, { cp: true, sim: true, read: false, full: true, member: true }],
    ['instance/status/InstanceReadyToShutdownEvent', other, { cp: true, sim: true, read: false, full: true, member: false }],
    ['health/stat/MemberHealthStatEvent', own, { cp: true, sim: true, read: false, full: true, member: true }],
    ['health/stat/MemberHealthStatEvent', other, { cp: true, sim: true, read: false, full: true, member: false }],
    ['health/stat/InFlightRequestCountEvent', inflight(clusterId), { cp: true, sim: true, read: false, full: true, member: true }],
    ['health/stat/InFlightRequestCountEvent', inflight('other.cluster.php.domain'), { cp: true, sim: true, read: false, full: true, member: false }],
    ['initializer/CompleteTopologyRequestEvent', '{}', { cp: true, sim: true, read: false, full: true, member: true }],
    ['initializer/CompleteApplicationsRequestEvent', '{}', { cp: true, sim: false, read: false, full: true, member: false }],
    ['topology/MemberTerminatedEvent', own, { cp: true, sim: false, read: false, full: true, member: false }],
    ['health/stat/MemberFaultEvent', own, { cp: true, sim: false, read: false, full: true, member: false }],
    ['instance/notifier/InstanceCleanupMemberEvent', own, { cp: true, sim: false, read: false, full: true, member: false }],
    ['$SYS/broker/x', '{}', { cp: false, sim: false, read: false, full: false, member: false }],
  ];
  for (const [topic, payload, allowed] of cases) {
    for (const [role, identity] of Object.entries(roles)) {
      const verdict = authority.mayPublish(identity, topic, Buffer.from(payload));
      assert.equal(verdict === undefined, allowed[role as keyof typeof roles], `${role} publishing ${topic} ${payload.slice(0, 60)}: ${verdict}`);
    }
  }
  assert.match(String(authority.mayPublish(roles.member, 'instance/status/InstanceActivatedEvent', 'not json')), /not JSON/);
  // a member's second request for the complete topology within 5 s is refused (the first passed above)
  assert.match(String(authority.mayPublish(roles.member, 'initializer/CompleteTopologyRequestEvent', '{}')), /at most one request per 5 s/);
  assert.equal(authority.mayPublish(roles.member, 'initializer/CompleteTenantRequestEvent', '{}'), undefined);
  const subscriptions: Array<[string, Record<keyof typeof roles, boolean>]> = [
    ['#', { cp: true, sim: false, read: true, full: true, member: false }],
    ['topology/#', { cp: true, sim: true, read: true, full: true, member: true }],
    ['instance/notifier/InstanceCleanupMemberEvent', { cp: true, sim: true, read: true, full: true, member: true }],
    ['health/stat/#', { cp: true, sim: false, read: true, full: true, member: false }],
    ['application/#', { cp: true, sim: false, read: true, full: true, member: false }],
  ];
  for (const [filter, allowed] of subscriptions) {
    for (const [role, identity] of Object.entries(roles)) {
      assert.equal(authority.maySubscribe(identity, filter) === undefined, allowed[role as keyof typeof roles], `${role} subscribing ${filter}`);
    }
  }
});
