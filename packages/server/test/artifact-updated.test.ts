/**
 * Application signups and ArtifactUpdatedEvent (cartridge-agent.md §1.3, §5.2; rest-api.md #53) on
 * a real server with its embedded broker: deploying a single-tenant application whose cartridge has
 * an artifact repository (a real bare git repository) creates its signup; the member's own MQTT
 * client (the payload's credentials) publishes InstanceStartedEvent and receives an
 * ArtifactUpdatedEvent for its cluster whose password decrypts — with node:crypto, independently of
 * strato's code — under the payload's CARTRIDGE_KEY to the configured one; a git hook
 * (POST /api/repo/notify) sends another; another tenant's hook does not; bad bodies are 400; the
 * password is in no log line; undeploy removes the signup.
 */
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { EventRecorder } from '@strato/testing/messaging';
import { basic, request } from '@strato/testing/server';
import { waitFor } from '@strato/testing';
import { laterEvents, launchParamsOf, membersOf, registerSingleCartridgeApp, startLoggedServer, statusFields, type LoggedServer } from './broker-agent.ts';
import { bareRepository, registerRepoApp } from './repo-app.ts';
import { decryptRepoPassword, encryptRepoPassword } from '../src/signups/repo-password.ts';

const APP = 'repo-app';
const PASSWORD = 'Repo-Pa55word,with=odd chars';
const USER = 'git-deployer';

/** Stratos's CommonUtil.decrypt, written from its definition: AES-128-ECB, PKCS5 padding, base64. */
function decrypt(base64: string, key: string): string {
  const d = createDecipheriv('aes-128-ecb', Buffer.from(key, 'utf8'), null);
  return Buffer.concat([d.update(Buffer.from(base64, 'base64')), d.final()]).toString('utf8');
}

describe('repository password encryption', () => {
  it("matches Stratos's test vector (AES-128-ECB, PKCS5, base64) both ways", () => {
    assert.equal(encryptRepoPassword('plaintext', 'tvnw63ufg9gh5111'), 'jP1lZ5xMlpLzu8MbY2Porg==');
    assert.equal(decryptRepoPassword('jP1lZ5xMlpLzu8MbY2Porg==', 'tvnw63ufg9gh5111'), 'plaintext');
    assert.equal(decrypt('jP1lZ5xMlpLzu8MbY2Porg==', 'tvnw63ufg9gh5111'), 'plaintext', "the test's own decryption agrees");
    assert.equal(decrypt(encryptRepoPassword(PASSWORD, 'AbCdEfGhIjKlMnOp'), 'AbCdEfGhIjKlMnOp'), PASSWORD);
    assert.throws(() => encryptRepoPassword('x', 'short'), /16 bytes/);
  });
});

describe('application signup and ArtifactUpdatedEvent', () => {
  let server: LoggedServer;
  let recorder: EventRecorder;
  let member: MqttClient;
  let repo: string;
  let params: Record<string, string>;
  const received: Array<{ topic: string; payload: any }> = [];
  const eve = basic('eve@other.org', 'eve-secret-1');
  const artifactEvents = () => received.filter((e) => e.topic === 'instance/notifier/ArtifactUpdatedEvent');

  before(async () => {
    repo = bareRepository();
    server = await startLoggedServer();
    recorder = await EventRecorder.connect(server.mbUrls[0], server.mbCredentials);
    await registerSingleCartridgeApp(server.call);
    await registerRepoApp(server.call, { appId: APP, repoUrl: repo, repoUsername: USER, repoPassword: PASSWORD });
    const tenant = { tenantDomain: 'other.org', admin: 'eve', adminPassword: 'eve-secret-1', firstName: 'Eve', lastName: 'X', email: 'eve@other.org' };
    assert.equal((await server.call('POST', '/api/tenants', tenant)).status, 201);
  });
  after(async () => {
    await member?.endAsync(true);
    await recorder?.close();
    await server?.stop();
    if (repo) rmSync(dirname(repo), { recursive: true, force: true });
  });

  it('deploying creates the signup; the InstanceStartedEvent of its member is answered with an ArtifactUpdatedEvent that the member can decrypt', async () => {
    assert.equal((await server.call('POST', `/api/applications/${APP}/deploy/ap-repo`, '')).status, 202);
    const added = await waitFor('ApplicationSignUpAddedEvent', () => recorder.first('ApplicationSignUpAddedEvent', (p) => p.applicationId === APP));
    const mine = await waitFor('member Initialized', async () => {
      const m = await membersOf(server.call, APP);
      return m.members.length === 1 && m.members[0].status === 'Initialized' ? m.members[0] : undefined;
    });
    params = await launchParamsOf(server.call, mine.memberId);
    assert.equal(params.REPO_URL, repo, 'the payload names the repository');
    assert.match(params.CARTRIDGE_KEY, /^[A-Za-z0-9]{16}$/);
    assert.deepEqual(added.payload, { applicationId: APP, tenantId: -1234, clusterIds: [params.CLUSTER_ID] });

    // the member, with its own credentials, subscribed as Stratos's agent is
    member = await mqtt.connectAsync(server.mbUrls[0], {
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      username: params['mb.username'],
      password: params['mb.password'],
    });
    member.on('message', (topic, message) => received.push({ topic, payload: JSON.parse(message.toString('utf8')) }));
    await member.subscribeAsync({ 'instance/#': { qos: 1 }, 'application/signup/#': { qos: 1 } });
    assert.equal(artifactEvents().length, 0, 'nothing before the member started');
    await member.publishAsync('instance/status/InstanceStartedEvent', JSON.stringify({ applicationId: APP, ...statusFields(params) }), { qos: 1 });

    const event = (await waitFor('ArtifactUpdatedEvent at the member', () => artifactEvents()[0])).payload;
    assert.deepEqual(Object.keys(event).sort(), ['clusterId', 'commitEnabled', 'repoPassword', 'repoURL', 'repoUserName', 'tenantId']);
    assert.equal(event.clusterId, params.CLUSTER_ID);
    assert.equal(event.repoURL, repo);
    assert.equal(event.repoUserName, USER);
    assert.equal(event.tenantId, '-1234', 'a string, as Stratos sends it');
    assert.equal(event.commitEnabled, false);
    assert.notEqual(event.repoPassword, PASSWORD);
    assert.equal(decrypt(event.repoPassword, params.CARTRIDGE_KEY), PASSWORD, 'decrypts under the CARTRIDGE_KEY of the payload');
    assert.throws(() => decrypt(event.repoPassword, 'AAAAAAAAAAAAAAAA'), 'another key does not decrypt it');
    await waitFor('member Starting', async () => (await membersOf(server.call, APP)).members[0]?.status === 'Starting');
    assert.equal(artifactEvents().length, 1, 'one event per InstanceStartedEvent');
  });

  it('POST /api/repo/notify (a git hook) sends an ArtifactUpdatedEvent to the clusters using the repository', async () => {
    const before = artifactEvents().length;
    const r = await server.call('POST', '/api/repo/notify', { repository: { url: repo, description: 'hook' } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: 'success', message: 'Repository notification sent successfully' });
    const event = (await waitFor('a second ArtifactUpdatedEvent', () => artifactEvents()[before])).payload;
    assert.equal(event.clusterId, params.CLUSTER_ID);
    assert.equal(decrypt(event.repoPassword, params.CARTRIDGE_KEY), PASSWORD);

    // another repository: nothing (then the admin's hook again, so that "nothing" has an end)
    assert.equal((await server.call('POST', '/api/repo/notify', { repository: { url: `${repo}-other` } })).status, 200);
    // another tenant's administrator, naming this tenant's repository: nothing either
    const other = await request(server.url, 'POST', '/api/repo/notify', { repository: { url: repo } }, eve);
    assert.equal(other.status, 200, 'Stratos answers 200 whatever matched');
    assert.equal((await server.call('POST', '/api/repo/notify', { repository: { url: repo } })).status, 200);
    await waitFor('the third ArtifactUpdatedEvent', () => artifactEvents().length >= before + 2);
    // events are published before the hook is answered, in order: any from the other calls came first
    assert.equal(artifactEvents().length, before + 2, 'exactly one per hook of the owning tenant');
    assert.equal(recorder.named('ArtifactUpdatedEvent').length, before + 2, 'none on the wire for another cluster');
  });

  it('refuses a hook without credentials (401) and bad bodies (400, naming the field)', async () => {
    assert.equal((await request(server.url, 'POST', '/api/repo/notify', { repository: { url: repo } }, null)).status, 401);
    const cases: [unknown, RegExp][] = [
      [{}, /repository is required/],
      [{ repository: 'x' }, /repository must be an object/],
      [{ repository: {} }, /repository\.url is required/],
      [{ repository: { url: 42 } }, /repository\.url must be a string/],
      [{ repository: { url: '  ' } }, /repository\.url must not be blank/],
      [[1, 2], /must be a JSON object/],
      ['{"repository": ', /JSON/],
    ];
    for (const [body, message] of cases) {
      const r = await server.call('POST', '/api/repo/notify', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.status, 'error');
      assert.match(r.body.message, message);
    }
  });

  it('the password is in no log line; undeploy removes the signup', async () => {
    assert.ok(server.records.some((r) => r.msg === 'artifact updated event sent'));
    const log = server.lines.join('\n');
    assert.ok(!log.includes(PASSWORD), 'the repository password is not logged');
    assert.equal((await server.call('POST', `/api/applications/${APP}/undeploy`, '')).status, 202);
    await waitFor('ApplicationSignUpRemovedEvent', () =>
      received.find((e) => e.topic === 'application/signup/ApplicationSignUpRemovedEvent' && e.payload.applicationId === APP),
    );
    const before = artifactEvents().length;
    assert.equal((await server.call('POST', '/api/repo/notify', { repository: { url: repo } })).status, 200);
    // the control plane's next complete topology comes after anything the hook published
    await laterEvents(() => recorder.named('CompleteTopologyEvent').length, 1, 'a complete topology after the hook');
    assert.equal(artifactEvents().length, before);
    assert.equal(recorder.named('ArtifactUpdatedEvent').length, before, 'no signup, no event');
  });
});
