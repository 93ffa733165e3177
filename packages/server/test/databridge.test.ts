/**
 * The databridge receiver (health statistics of Stratos's own agent over Thrift, cartridge-agent.md
 * §7.3): the binary protocol codec against hand-computed bytes and round trips; the service's
 * answers (sessions, stream definitions, bundles, exceptions) call by call; and a real server
 * answering the Python agent's own databridge client (its `modules.databridge` package, imported
 * from the ported agent set up by setup.sh, never copied): a statistic published over TLS arrives
 * as a MemberHealthStatEvent on the broker and in the fault detector, wrong credentials are
 * refused with ThriftAuthenticationException, an unknown session gets ThriftSessionExpiredException.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { stratosAgent, type StratosAgent } from '@strato/testing';
import { DatabridgeService, HEALTH_STREAM_DEFINITION, type HealthSample } from '../src/health/databridge/databridge-service.ts';
import {
  Incomplete,
  Malformed,
  MessageType,
  T,
  bool,
  dbl,
  i32,
  i64,
  list,
  readMessage,
  str,
  struct,
  structOf,
  writeMessage,
  type TMessage,
  type TStruct,
  type TValue,
} from '../src/health/databridge/thrift-codec.ts';
import { EventRecorder } from '@strato/testing/messaging';
import { startTestServer } from '@strato/testing/server';
import { waitFor } from '@strato/testing';
import { loadSettings } from '../src/settings.ts';
import { databridgeReceiverUrls, type Databridge } from '../src/health/databridge/databridge-setup.ts';
import { selfSignedCertificate } from '../src/health/databridge/self-signed.ts';
import { TestAgent, launchParamsOf, membersOf, registerAgentApp, registerSingleCartridgeApp, startLoggedServer, type LoggedServer } from './broker-agent.ts';

describe('Thrift binary protocol codec', () => {
  it('encodes a connect call byte for byte as the binary protocol defines it (strict header)', () => {
    const bytes = writeMessage({ name: 'connect', type: MessageType.CALL, seqid: 0, body: structOf({ 1: str('a'), 2: str('b') }) });
    const expected =
      '80010001' + '00000007' + Buffer.from('connect').toString('hex') + '00000000' + '0b0001' + '00000001' + '61' + '0b0002' + '00000001' + '62' + '00';
    assert.equal(bytes.toString('hex'), expected);
  });

  const every: TMessage = {
    name: 'publish',
    type: MessageType.CALL,
    seqid: 7,
    body: structOf({
      1: struct({
        1: str('séssion ✓'),
        2: i32(-5),
        3: list(T.I32, [i32(1), i32(-2_000_000_000)]),
        4: list(T.I64, [i64(1796190886644n), i64(-(2n ** 63n))]),
        5: list(T.DOUBLE, [dbl(3.8), dbl(-0.5)]),
        6: list(T.BOOL, [bool(true), bool(false)]),
        7: list(T.STRING, [str(''), str('x'.repeat(300))]),
        8: {
          type: T.MAP,
          keyType: T.STRING,
          valueType: T.MAP,
          value: [[str('k'), { type: T.MAP, keyType: T.STRING, valueType: T.STRING, value: [[str('a'), str('b')]] }]],
        },
        9: { type: T.BYTE, value: -1 },
        10: { type: T.I16, value: -300 },
        11: { type: T.SET, elementType: T.STRING, value: [str('s')] },
      }),
    }),
  };

  it('reads back every type it writes; two messages in one buffer are read one after the other', () => {
    const one = writeMessage(every);
    const two = writeMessage({ ...every, seqid: 8 });
    const both = Buffer.concat([one, two]);
    const first = readMessage(both);
    assert.equal(first.length, one.length);
    assert.deepEqual(first.message, every);
    const second = readMessage(both.subarray(first.length));
    assert.equal(second.message.seqid, 8);
    assert.equal(second.length, two.length);
  });

  it('asks for more bytes at every cut of a message, and only then', () => {
    const bytes = writeMessage(every);
    for (let n = 0; n < bytes.length; n++) assert.throws(() => readMessage(bytes.subarray(0, n)), Incomplete, `cut at ${n}`);
    assert.doesNotThrow(() => readMessage(bytes));
  });

  it('reads the old non-strict header too', () => {
    const body = writeMessage({ name: 'x', type: MessageType.CALL, seqid: 3, body: new Map() });
    // name length, name, type byte, seqid, empty struct
    const old = Buffer.concat([Buffer.from('00000001', 'hex'), Buffer.from('x'), Buffer.from([1]), Buffer.from('00000003', 'hex'), Buffer.from([0])]);
    assert.deepEqual(readMessage(old).message, readMessage(body).message);
  });

  it('refuses what is no message: a bad version, an unknown type, oversized strings and containers, deep nesting', () => {
    const call = (body: string) => Buffer.from('80010001' + '00000001' + '78' + '00000000' + body, 'hex');
    assert.throws(() => readMessage(Buffer.from('80020001000000017800000000' + '00', 'hex')), Malformed);
    assert.throws(() => readMessage(call('090001')), Malformed, 'type id 9');
    assert.throws(() => readMessage(call('0b0001' + '7fffffff')), Malformed, 'a 2 GB string');
    assert.throws(() => readMessage(call('0b0001' + 'ffffffff')), Malformed, 'a negative length');
    assert.throws(() => readMessage(call('0f0001' + '08' + '7fffffff')), Malformed, 'a list of 2^31 - 1');
    let nested: TValue = str('deep');
    for (let i = 0; i < 40; i++) nested = struct({ 1: nested });
    assert.throws(() => readMessage(writeMessage({ name: 'x', type: 1, seqid: 0, body: structOf({ 1: nested }) })), Malformed);
  });
});

/** The event bundle the agent sends for one statistic (README "Health statistics"). */
function bundle(
  session: string,
  ids: { clusterId: string; clusterInstanceId: string; networkPartitionId: string; memberId: string; partitionId: string },
  what: string,
  value: number,
  streamId = 'cartridge_agent_health_stats:1.0.0',
): TStruct {
  return structOf({
    1: struct({
      1: str(session),
      2: i32(1),
      3: list(T.I32, []),
      4: list(T.I64, [i64(1796190886644n)]),
      5: list(T.DOUBLE, [dbl(value)]),
      6: list(T.BOOL, []),
      7: list(T.STRING, [streamId, ids.clusterId, ids.clusterInstanceId, ids.networkPartitionId, ids.memberId, ids.partitionId, what].map(str)),
    }),
  });
}

describe('databridge service, call by call', () => {
  const samples: HealthSample[] = [];
  const service = new DatabridgeService({
    auth: (u, p) =>
      u === 'acct' && p === 'acct-password'
        ? { kind: 'account' }
        : u === 'member-1' && p === 'member-password'
          ? { kind: 'member', memberId: 'member-1' }
          : undefined,
    onSample: (s) => samples.push(s),
    log: pino({ level: 'silent' }),
  });
  let seq = 0;
  const call = (name: string, body: TStruct): TMessage => {
    const reply = service.handle({ name, type: MessageType.CALL, seqid: ++seq, body });
    const m = readMessage(reply!).message;
    assert.equal(m.seqid, seq);
    assert.equal(m.name, name);
    return m;
  };
  /** the one field of a reply: [field id, value] */
  const answer = (m: TMessage): [number, unknown] => {
    assert.equal(m.type, MessageType.REPLY);
    const [entry] = [...m.body.entries()];
    if (!entry) return [-1, undefined];
    const [id, v] = entry;
    return [id, v.type === T.STRUCT ? (v.value.get(1)?.value as string) : v.value];
  };
  const ids = { clusterId: 'c', clusterInstanceId: 'ci', networkPartitionId: 'np', memberId: 'member-1', partitionId: 'p' };

  it('connect: a session id for good credentials, ThriftAuthenticationException (field 1) otherwise', () => {
    const [id, session] = answer(call('connect', structOf({ 1: str('acct'), 2: str('acct-password') })));
    assert.equal(id, 0);
    assert.match(String(session), /^[0-9a-f-]{36}$/);
    assert.equal(answer(call('connect', structOf({ 1: str('acct'), 2: str('nope') })))[0], 1);
    assert.equal(answer(call('connect', structOf({})))[0], 1);
  });

  it('defineStream: the stream id; unknown session (4), malformed (2), a different definition of the same id (1)', () => {
    const session = answer(call('connect', structOf({ 1: str('acct'), 2: str('acct-password') })))[1] as string;
    assert.deepEqual(answer(call('defineStream', structOf({ 1: str(session), 2: str(HEALTH_STREAM_DEFINITION) }))), [0, 'cartridge_agent_health_stats:1.0.0']);
    assert.equal(answer(call('defineStream', structOf({ 1: str('unknown'), 2: str(HEALTH_STREAM_DEFINITION) })))[0], 4);
    assert.equal(answer(call('defineStream', structOf({ 1: str(session), 2: str('{not json') })))[0], 2);
    const other = HEALTH_STREAM_DEFINITION.replace('"DOUBLE"', '"INT"');
    assert.equal(answer(call('defineStream', structOf({ 1: str(session), 2: str(other) })))[0], 1);
    assert.deepEqual(
      answer(call('defineStream', structOf({ 1: str(session), 2: str('{"name":"s2","version":"2.0.0","payloadData":[{"name":"v","type":"LONG"}]}') }))),
      [0, 's2:2.0.0'],
    );
  });

  it('publish: a statistic becomes a sample; unknown session (2), unknown stream (1); a member session speaks for its member only', () => {
    const session = answer(call('connect', structOf({ 1: str('acct'), 2: str('acct-password') })))[1] as string;
    samples.length = 0;
    assert.deepEqual(answer(call('publish', bundle(session, ids, 'memory_consumption', 3.8))), [-1, undefined], 'void');
    assert.deepEqual(samples, [{ ...ids, healthDescription: 'memory_consumption', value: 3.8, timestamp: 1796190886644 }]);
    assert.equal(answer(call('publish', bundle('made-up', ids, 'load_average', 1)))[0], 2);
    assert.equal(answer(call('publish', bundle(session, ids, 'load_average', 1, 'nope:1.0.0')))[0], 1);
    assert.equal(samples.length, 1);

    const mine = answer(call('connect', structOf({ 1: str('member-1'), 2: str('member-password') })))[1] as string;
    call('publish', bundle(mine, { ...ids, memberId: 'member-2' }, 'load_average', 60));
    call('publish', bundle(mine, ids, 'load_average', 61));
    assert.deepEqual(
      samples.map((s) => [s.memberId, s.value]),
      [
        ['member-1', 3.8],
        ['member-1', 61],
      ],
      "another member's statistic is dropped",
    );

    call('disconnect', structOf({ 1: str(mine) }));
    assert.equal(answer(call('publish', bundle(mine, ids, 'load_average', 62)))[0], 2, 'a disconnected session has expired');
  });

  it("knows the agent's health stream from the start: after a restart of strato, an agent's reconnect (no new defineStream) publishes at once", () => {
    const fresh = new DatabridgeService({ auth: () => ({ kind: 'account' }), onSample: (s) => samples.push(s), log: pino({ level: 'silent' }) });
    const reply = (name: string, body: TStruct) => readMessage(fresh.handle({ name, type: MessageType.CALL, seqid: 1, body })!).message.body;
    const session = reply('connect', structOf({ 1: str('any'), 2: str('thing') })).get(0)!.value as string;
    samples.length = 0;
    assert.equal(reply('publish', bundle(session, ids, 'load_average', 7)).size, 0, 'no exception');
    assert.deepEqual(
      samples.map((s) => s.value),
      [7],
    );
  });

  it('answers an unknown method with a TApplicationException', () => {
    const m = readMessage(service.handle({ name: 'findStreamId', type: MessageType.CALL, seqid: 99, body: new Map() })!).message;
    assert.equal(m.type, MessageType.EXCEPTION);
    assert.equal(m.body.get(2)?.value, 1, 'UNKNOWN_METHOD');
  });
});

/** Our own script (not the agent's): imports the agent's databridge client and reports what happened, as JSON. */
const CLIENT = `
import json, sys
host, port, user, password, agent_dir, ids = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], json.loads(sys.argv[6])
sys.path.insert(0, agent_dir)
from modules.databridge.agent import ThriftPublisher, StreamDefinition, ThriftEvent
from modules.databridge.thrift.publisher import Publisher, EventBundle

def stream():
    sd = StreamDefinition()
    sd.name, sd.version, sd.nickname, sd.description = "cartridge_agent_health_stats", "1.0.0", "agent health stats", "agent health stats"
    for n in ["cluster_id", "cluster_instance_id", "network_partition_id", "member_id", "partition_id", "health_description"]:
        sd.add_payloaddata_attribute(n, StreamDefinition.STRING)
    sd.add_payloaddata_attribute("value", StreamDefinition.DOUBLE)
    return sd

out = {}
p = ThriftPublisher(host, port, user, password, stream())
out["definition"] = str(stream())
out["streamId"] = p.stream_id
e = ThriftEvent()
e.payloadData = [ids["clusterId"], ids["clusterInstanceId"], ids["networkPartitionId"], ids["memberId"], ids["partitionId"], "memory_consumption", 42.5]
p.publish(e)
out["published"] = True
try:
    ThriftPublisher(host, port, user, password + "-wrong", stream())
    out["wrongCredentials"] = "accepted"
except Exception as ex:
    out["wrongCredentials"] = type(ex).__name__
raw = Publisher(host, port, stream())
raw.connect(user, password)
raw.sessionId = "made-up-session"
b = EventBundle()
b.addStringAttribute(p.stream_id)
b.addLongAttribute(1)
for s in ["c", "ci", "np", "m", "p", "load_average"]:
    b.addStringAttribute(s)
b.addDoubleAttribute(1.0)
try:
    raw.publish(b)
    out["unknownSession"] = "accepted"
except Exception as ex:
    out["unknownSession"] = type(ex).__name__
print(json.dumps(out))
`;

describe("the Python agent's own databridge client against strato's receiver", () => {
  let agent: StratosAgent | string;
  let server: LoggedServer;
  let recorder: EventRecorder;
  let member: TestAgent;
  let work: string;
  const seen: string[] = [];

  before(async () => {
    agent = await stratosAgent();
    if (typeof agent === 'string') return;
    work = mkdtempSync(join(tmpdir(), 'strato-databridge-'));
    writeFileSync(join(work, 'client.py'), CLIENT);
    server = await startLoggedServer();
    await server.databridge!.ready; // its certificate, made at first start
    recorder = await EventRecorder.connect(server.mbUrls[0], server.mbCredentials);
    const faults = server.controlPlane.faults;
    const seenBefore = faults.seen.bind(faults);
    faults.seen = (memberId, now) => {
      seen.push(memberId);
      seenBefore(memberId, now);
    };
    await registerSingleCartridgeApp(server.call);
    await registerAgentApp(server.call);
  });
  after(async () => {
    await member?.close();
    await recorder?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Runs the client script with the agent's venv python in the work folder (the agent's logging writes agent.log there). */
  async function client(user: string, password: string, ids: Record<string, string>): Promise<Record<string, unknown>> {
    const a = agent as StratosAgent;
    const { stdout } = await promisify(execFile)(
      a.python,
      [join(work, 'client.py'), '127.0.0.1', String(server.databridge!.port), user, password, a.agentDir, JSON.stringify(ids)],
      { cwd: work, timeout: 60_000 },
    );
    return JSON.parse(stdout.trim().split('\n').pop()!);
  }

  it('a statistic of an Active member arrives as a MemberHealthStatEvent and reaches the fault detector; wrong credentials and unknown sessions are refused', async (t) => {
    if (typeof agent === 'string') return t.skip(agent);
    assert.equal((await server.call('POST', '/api/applications/agent-app/deploy/ap-agent', '')).status, 202);
    const m = await waitFor('agent-app member Initialized', async () => {
      const r = await membersOf(server.call, 'agent-app');
      return r.members[0]?.status === 'Initialized' ? r.members[0] : undefined;
    });
    const params = await launchParamsOf(server.call, m.memberId);
    member = await TestAgent.connect(server.mbUrls[0], params);
    await member.publish('InstanceStartedEvent');
    await waitFor('Starting', async () => (await membersOf(server.call, 'agent-app')).members[0]?.status === 'Starting');
    await member.publish('InstanceActivatedEvent'); // no MQTT statistics from this member: Thrift only
    await waitFor('Active', async () => (await membersOf(server.call, 'agent-app')).members[0]?.status === 'Active');
    const ids = {
      clusterId: params.CLUSTER_ID,
      clusterInstanceId: params.CLUSTER_INSTANCE_ID,
      networkPartitionId: params.NETWORK_PARTITION_ID,
      memberId: params.MEMBER_ID,
      partitionId: params.PARTITION_ID,
    };
    seen.length = 0;

    const account = server.databridge!.account;
    const out = await client(account.username, account.password, ids);
    assert.deepEqual(out, {
      definition: HEALTH_STREAM_DEFINITION,
      streamId: 'cartridge_agent_health_stats:1.0.0',
      published: true,
      wrongCredentials: 'ThriftAuthenticationException',
      unknownSession: 'ThriftSessionExpiredException',
    });
    const stat = await waitFor('MemberHealthStatEvent on the broker', () => recorder.first('MemberHealthStatEvent', (p) => p.memberId === params.MEMBER_ID));
    assert.deepEqual(
      { ...stat.payload, timestamp: typeof stat.payload.timestamp },
      { ...ids, healthDescription: 'memory_consumption', value: 42.5, timestamp: 'number' },
    );
    await waitFor('the fault detector saw it', () => seen.includes(params.MEMBER_ID));
    assert.equal(recorder.named('MemberHealthStatEvent', (p) => p.memberId === 'm').length, 0, 'the unknown-session bundle was not taken');
  });

  it("a member's own broker credentials are accepted, for its own statistics only", async (t) => {
    if (typeof agent === 'string') return t.skip(agent);
    const params = member.params;
    const ids = {
      clusterId: params.CLUSTER_ID,
      clusterInstanceId: params.CLUSTER_INSTANCE_ID,
      networkPartitionId: params.NETWORK_PARTITION_ID,
      memberId: params.MEMBER_ID,
      partitionId: params.PARTITION_ID,
    };
    const before = recorder.named('MemberHealthStatEvent', (p) => p.memberId === params.MEMBER_ID).length;
    const out = await client(params['mb.username'], params['mb.password'], ids);
    assert.equal(out.published, true);
    assert.equal(out.wrongCredentials, 'ThriftAuthenticationException');
    await waitFor('the second statistic', () => recorder.named('MemberHealthStatEvent', (p) => p.memberId === params.MEMBER_ID).length > before);
    const forged = await client(params['mb.username'], params['mb.password'], { ...ids, memberId: `${params.CLUSTER_ID}00000000-0000-4000-8000-000000000000` });
    assert.equal(forged.published, true, 'answered like any publish (as a databridge does)');
    await waitFor('the drop logged', () => server.records.find((r) => r.msg?.startsWith('databridge statistic about another member dropped')));
    assert.equal(recorder.named('MemberHealthStatEvent', (p) => p.memberId.endsWith('00000000-0000-4000-8000-000000000000')).length, 0);
  });

  it('keeps its key, certificate and password in the data dir (0600); no password in the log', (t) => {
    if (typeof agent === 'string') return t.skip(agent);
    const cert = new X509Certificate(readFileSync(join(server.dataDir, 'databridge-cert.pem')));
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    assert.equal(cert.publicKey.asymmetricKeyType, 'rsa', 'RSA: TLS 1.2 without ECDHE has a suite');
    for (const f of ['databridge-key.pem', 'databridge-credentials.json']) assert.equal(statSync(join(server.dataDir, f)).mode & 0o777, 0o600, f);
    const password = JSON.parse(readFileSync(join(server.dataDir, 'databridge-credentials.json'), 'utf8')).password;
    assert.equal(password, server.databridge!.account.password);
    const log = server.lines.join('\n');
    assert.ok(server.records.some((r) => r.msg === 'databridge connection refused: wrong user name or password'));
    assert.ok(!log.includes(password), 'the databridge password is not logged');
    assert.ok(!log.includes(member.params['mb.password']), 'the member password is not logged');
  });
});

describe('databridge settings', () => {
  it("has Stratos's port and is on by default; refuses bad values naming the variable", () => {
    const s = loadSettings({});
    assert.deepEqual(s.databridge, { enabled: true, port: 7711, certFile: undefined, keyFile: undefined, username: 'strato-databridge', password: undefined });
    assert.throws(() => loadSettings({ STRATO_DATABRIDGE_PORT: '70000' }), /STRATO_DATABRIDGE_PORT/);
    assert.throws(() => loadSettings({ STRATO_DATABRIDGE_ENABLED: 'yes' }), /STRATO_DATABRIDGE_ENABLED/);
    assert.throws(() => loadSettings({ STRATO_DATABRIDGE_PASSWORD: 'short' }), /STRATO_DATABRIDGE_PASSWORD/);
  });

  it('names the receiver for an agent: STRATO_HOST, or loopback when strato listens everywhere', () => {
    const running = { port: 7711 } as Databridge;
    assert.deepEqual(databridgeReceiverUrls('127.0.0.1', running), ['127.0.0.1:7711']);
    assert.deepEqual(databridgeReceiverUrls('0.0.0.0', running), ['127.0.0.1:7711']);
    assert.deepEqual(databridgeReceiverUrls('10.0.0.5', running), ['10.0.0.5:7711']);
    assert.deepEqual(databridgeReceiverUrls('127.0.0.1', undefined), []);
  });

  it('runs no receiver when disabled; serves the configured certificate; refuses half a key pair', async () => {
    const off = await startTestServer({}, { STRATO_DATABRIDGE_ENABLED: 'false' });
    try {
      assert.equal(off.databridge, undefined);
      assert.ok(!existsSync(join(off.dataDir, 'databridge-cert.pem')), 'nothing generated');
    } finally {
      await off.stop();
    }
    const dir = mkdtempSync(join(tmpdir(), 'strato-db-tls-'));
    try {
      const pair = await selfSignedCertificate('configured');
      writeFileSync(join(dir, 'cert.pem'), pair.cert);
      writeFileSync(join(dir, 'key.pem'), pair.key);
      const on = await startTestServer(
        {},
        {
          STRATO_DATABRIDGE_CERT_FILE: join(dir, 'cert.pem'),
          STRATO_DATABRIDGE_KEY_FILE: join(dir, 'key.pem'),
          STRATO_DATABRIDGE_PASSWORD: 'configured-password',
        },
      );
      try {
        assert.deepEqual(on.databridge!.account, { username: 'strato-databridge', password: 'configured-password' });
        const socket = tlsConnect({ host: '127.0.0.1', port: on.databridge!.port, rejectUnauthorized: false });
        await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
        assert.equal(socket.getPeerX509Certificate()?.fingerprint256, new X509Certificate(pair.cert).fingerprint256);
        socket.destroy();
        assert.ok(!existsSync(join(on.dataDir, 'databridge-credentials.json')), 'no password generated');
      } finally {
        await on.stop();
      }
      await assert.rejects(
        startTestServer({}, { STRATO_DATABRIDGE_CERT_FILE: join(dir, 'cert.pem') }),
        /STRATO_DATABRIDGE_CERT_FILE and STRATO_DATABRIDGE_KEY_FILE/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
