/**
 * strato-agent's configuration (cartridge-agent.md §2): Stratos's lookup order (agent.conf before
 * the launch parameters), mandatory keys, and the agent process refusing a bad configuration at
 * once — exit status 2, a message naming the key, nothing published — or reporting brokers it
 * cannot reach.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmbeddedBroker, type EmbeddedBroker } from '@strato/messaging/embedded-broker.ts';
import { freePort } from '@strato/testing';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, PropertySource, SETTINGS, configFrom, configPaths, parseAgentConf, parseLaunchParams } from '../src/config.ts';
import { decryptRepoPassword } from '../src/crypto.ts';
import { authUrl } from '../src/git.ts';
import { MEMBER, TestControlPlane, fastConf, memberDir, startAgent, waitFor } from './support.ts';

const PATHS = { conf: '/m/agent.conf', params: '/m/payload/launch-params' };

function config(conf: string, params: string) {
  return configFrom(new PropertySource(parseAgentConf(conf), parseLaunchParams(params)), PATHS);
}

const PARAMS = Object.entries({ ...MEMBER, PORTS: '8080|8443' })
  .map(([k, v]) => `${k}=${v}`)
  .join(',');

describe('configuration sources (no process)', () => {
  it('parses launch-params as Stratos does: split on , then =, text after a second = lost, empty and null absent', () => {
    const p = parseLaunchParams(' A=1, B=x=y ,C=,D=null,E, F = 2 ');
    assert.deepEqual(
      [...p],
      [
        ['A', '1'],
        ['B', 'x'],
        ['C', ''],
        ['D', 'null'],
        ['F', '2'],
      ],
    );
    const src = new PropertySource(new Map(), p);
    assert.equal(src.get('C'), undefined);
    assert.equal(src.get('D'), undefined);
    assert.equal(src.get('a'), undefined, 'payload keys are case-sensitive');
  });

  it('agent.conf wins over the payload when it has a value; its option names are case-insensitive; empty or null falls through', () => {
    const c = config(
      '[agent]\nMB.URLS = conf-host:1885\nlisten.address =\nport.check.timeout = null\nmb.publisher.timeout = 12\n[other]\nmb.username = not-this\n',
      `${PARAMS},mb.urls=payload-host:1,listen.address=10.1.1.1,port.check.timeout=3000,mb.username=member,mb.password=secret`,
    );
    assert.deepEqual(c.brokers, [{ host: 'conf-host', port: 1885 }]);
    assert.equal(c.listenAddress, '10.1.1.1', 'empty in agent.conf: the payload');
    assert.equal(c.portCheckTimeoutMs, 3000, 'null in agent.conf: the payload');
    assert.equal(c.publisherTimeoutMs, 12_000);
    assert.equal(c.mbUsername, 'member', 'only section [agent] is read');
    assert.equal(c.mbPassword, 'secret');
    assert.deepEqual(c.ports, [8080, 8443]);
    assert.equal(c.identity.instanceId, null);
  });

  it("Stratos's defaults", () => {
    const c = config('[agent]\nmb.urls = h:1\n', PARAMS);
    assert.equal(c.publisherTimeoutMs, 900_000);
    assert.equal(c.listenAddress, 'localhost');
    assert.equal(c.portCheckTimeoutMs, 600_000);
    assert.equal(c.portCheckIntervalMs, 5_000);
    assert.equal(c.statsIntervalMs, 15_000);
    assert.equal(c.artifactUpdateIntervalMs, 10_000);
    assert.equal(c.cloneRetries, 5);
    assert.equal(c.cloneIntervalMs, 10_000);
    assert.equal(c.autoCommit, false);
    assert.equal(c.logLevel, 'info');
  });

  it('mb.ip + mb.port stand in for mb.urls; auto-commit is COMMIT_ENABLED, else auto.commit (which Stratos never read)', () => {
    assert.deepEqual(config('[agent]\nmb.ip = 10.0.0.5\nmb.port = 1883\nauto.commit = true\n', PARAMS).brokers, [{ host: '10.0.0.5', port: 1883 }]);
    assert.equal(config('[agent]\nmb.urls = h:1\nauto.commit = true\n', PARAMS).autoCommit, true);
    assert.equal(config('[agent]\nmb.urls = h:1\nauto.commit = true\n', `${PARAMS},COMMIT_ENABLED=false`).autoCommit, false);
    assert.equal(config('[agent]\nmb.urls = h:1\n', `${PARAMS},COMMIT_ENABLED=true`).autoCommit, true);
  });

  it('every mandatory key missing is named', () => {
    for (const key of ['APPLICATION_ID', 'SERVICE_NAME', 'CLUSTER_ID', 'MEMBER_ID', 'TENANT_ID', 'PORTS', 'MULTITENANT']) {
      const params = PARAMS.split(',')
        .filter((kv) => !kv.startsWith(`${key}=`))
        .join(',');
      assert.throws(
        () => config('[agent]\nmb.urls = h:1\n', params),
        (e: unknown) => e instanceof ConfigError && e.key === key && e.message.includes(key),
        key,
      );
    }
    assert.throws(
      () => config('[agent]\n', PARAMS),
      (e: unknown) => e instanceof ConfigError && e.key === 'mb.urls',
    );
    assert.throws(() => config('[agent]\nmb.urls = MB-URLS\n', PARAMS), /mb.urls must be a comma-separated list of host:port, not "MB-URLS"/);
    assert.throws(() => config('[agent]\nmb.urls = h:1\nmb.publisher.timeout = soon\n', PARAMS), /mb.publisher.timeout must be an integer/);
    assert.throws(() => config('[agent]\nmb.urls = h:1\nmb.urls = h:2\n', PARAMS), /given twice/);
  });

  it('REPO_URL: must look like a git URL, needs CARTRIDGE_KEY (16 characters) and an absolute APPLICATION_PATH', () => {
    const conf = '[agent]\nmb.urls = h:1\n';
    const repo = PARAMS.replace('REPO_URL=null', 'REPO_URL=https://git.example.org/app.git');
    assert.throws(
      () => config(conf, PARAMS.replace('REPO_URL=null', 'REPO_URL=not a url')),
      (e: unknown) => e instanceof ConfigError && e.key === 'REPO_URL',
    );
    assert.throws(
      () => config(conf, repo),
      (e: unknown) => e instanceof ConfigError && e.key === 'CARTRIDGE_KEY',
    );
    assert.throws(() => config(conf, `${repo},CARTRIDGE_KEY=short`), /CARTRIDGE_KEY must have 16 characters/);
    // APPLICATION_PATH is checked when an ArtifactUpdatedEvent arrives (as in Stratos): a warning at start
    assert.match(config(conf, `${repo},CARTRIDGE_KEY=tvnw63ufg9gh5111`).warnings.join(), /APPLICATION_PATH is missing/);
    assert.match(config(conf, `${repo},CARTRIDGE_KEY=tvnw63ufg9gh5111,APPLICATION_PATH=var/www`).warnings.join(), /APPLICATION_PATH must be an absolute path/);
    const ok = config(conf, `${repo},CARTRIDGE_KEY=tvnw63ufg9gh5111,APPLICATION_PATH=/var/www/`);
    assert.equal(ok.repoUrl, 'https://git.example.org/app.git');
    assert.equal(ok.applicationPath, '/var/www');
    assert.throws(
      () => config(conf, PARAMS.replace('REPO_URL=null', 'REPO_URL=https://user:pw@x y')),
      (e: unknown) => e instanceof ConfigError && !e.message.includes('pw'),
      'the password is not shown',
    );
  });

  it("README's settings table is the one the code documents", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rows = readme.split('\n').filter((l) => /^\| `/.test(l));
    assert.deepEqual(
      rows,
      SETTINGS.map((s) => `| \`${s.key}\` | ${s.default} | ${s.meaning} |`),
    );
  });

  it('paths: the working directory by default, --conf / --payload, or STRATO_AGENT_CONF / STRATO_AGENT_PAYLOAD', () => {
    assert.deepEqual(configPaths([], {}, '/w'), { conf: '/w/agent.conf', params: '/w/payload/launch-params' });
    assert.deepEqual(configPaths(['--conf', '/m/a.conf', '--payload=/m/p'], {}, '/w'), { conf: '/m/a.conf', params: '/m/p/launch-params' });
    assert.deepEqual(configPaths([], { STRATO_AGENT_CONF: 'x/agent.conf', STRATO_AGENT_PAYLOAD: '/p/launch-params' }, '/w'), {
      conf: '/w/x/agent.conf',
      params: '/p/launch-params',
    });
    assert.throws(() => configPaths(['--verbose'], {}, '/w'), /Unknown option --verbose/);
  });

  it("decrypts a repository password as Stratos does (its test vector); builds the credential URL by Stratos's rules", () => {
    assert.equal(decryptRepoPassword('jP1lZ5xMlpLzu8MbY2Porg==', 'tvnw63ufg9gh5111'), 'plaintext');
    assert.throws(() => decryptRepoPassword('bm90IGFlcw==', 'tvnw63ufg9gh5111'), /not an AES ciphertext/);
    const repo = { path: '/x', tenantId: '1' };
    assert.equal(authUrl({ ...repo, url: 'https://h/r.git', username: 'u@x', password: 'p:w' }), 'https://u%40x:p%3Aw@h/r.git');
    assert.equal(authUrl({ ...repo, url: 'https://me@h/r.git', username: 'u', password: 'pw' }), 'https://me:pw@h/r.git');
    assert.equal(authUrl({ ...repo, url: 'https://me:old@h/r.git', username: 'u', password: 'pw' }), 'https://me:old@h/r.git');
    assert.equal(authUrl({ ...repo, url: 'https://h/r.git' }), 'https://h/r.git');
    assert.equal(authUrl({ ...repo, url: 'file:///srv/r.git', username: 'u', password: 'pw' }), 'file:///srv/r.git');
  });
});

describe('the agent process refuses a bad configuration', () => {
  let broker: EmbeddedBroker;
  let cp: TestControlPlane;
  before(async () => {
    broker = await startEmbeddedBroker();
    cp = await TestControlPlane.start([broker.url], { ...MEMBER, PORTS: '1' });
  });
  after(async () => {
    await cp?.close();
    await broker?.close();
  });

  async function refused(conf: Record<string, string | number | boolean>, params: Record<string, string>, key: string, message: RegExp): Promise<void> {
    const m = memberDir(conf, params);
    try {
      const agent = await startAgent(m.dir);
      assert.equal(await agent.exited, 2, `exit status 2 (${agent.stderr()})`);
      assert.match(agent.stderr(), message);
      const fatal = agent.errorLog().find((r) => r.level === 60);
      assert.ok(fatal, 'error.log has the fatal record');
      assert.equal(fatal.key, key);
      assert.match(fatal.msg, message);
    } finally {
      m.remove();
    }
  }

  it('a missing mandatory key, a missing file, an invalid REPO_URL: exit 2 at once, the key named, nothing published', async () => {
    const conf = fastConf(`127.0.0.1:${broker.port}`);
    const { MEMBER_ID: _omitted, ...noMember } = { ...MEMBER, PORTS: '1' };
    await refused(conf, noMember, 'MEMBER_ID', /Mandatory configuration value MEMBER_ID is missing/);
    const { 'mb.urls': _u, ...noBroker } = conf;
    await refused(noBroker, { ...MEMBER, PORTS: '1' }, 'mb.urls', /mb.urls is missing/);
    await refused(
      conf,
      { ...MEMBER, PORTS: '1', REPO_URL: 'ftp:/nowhere', CARTRIDGE_KEY: 'tvnw63ufg9gh5111', APPLICATION_PATH: '/tmp/x' },
      'REPO_URL',
      /REPO_URL "ftp:\/nowhere" is not a git repository URL/,
    );
    const m = memberDir(conf, { ...MEMBER, PORTS: '1' });
    try {
      const agent = await startAgent(m.dir, ['--payload', `${m.dir}/elsewhere`]);
      assert.equal(await agent.exited, 2);
      assert.match(agent.stderr(), /Cannot read launch parameters .*elsewhere\/launch-params: ENOENT/);
    } finally {
      m.remove();
    }
    assert.deepEqual(cp.received, [], 'nothing was published');
  });

  it('the strato-agent bin (bundle built or reused) refuses an empty directory the same way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strato-agent-bin-'));
    try {
      const bin = new URL('../bin/strato-agent.mjs', import.meta.url).pathname;
      const child = spawn(process.execPath, [bin], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString('utf8');
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 2);
      assert.equal(err, `strato-agent: Cannot read agent.conf ${join(dir, 'agent.conf')}: ENOENT\n`);
      assert.ok(existsSync(new URL('../dist/strato-agent.cjs', import.meta.url)), 'the bin ran the bundle');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('brokers it cannot reach: a clear error naming them, it keeps trying and stops on SIGTERM', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const m = memberDir(fastConf(`127.0.0.1:${a},127.0.0.1:${b}`), { ...MEMBER, PORTS: '1' });
    try {
      const agent = await startAgent(m.dir);
      const record = await waitFor(
        'the broker error',
        () => agent.errorLog().find((r) => /Could not connect to any of the message brokers provided/.test(r.msg)),
        10_000,
      );
      assert.deepEqual(record.urls, [`mqtt://127.0.0.1:${a}`, `mqtt://127.0.0.1:${b}`]);
      assert.ok(agent.log().some((r) => r.msg === `Could not connect to the message broker at 127.0.0.1:${a}.`));
      assert.equal(agent.proc.exitCode, null, 'still running: brokers may come back');
      agent.signal('SIGTERM');
      assert.equal(await agent.exited, 0, 'nothing started: it stops at once');
    } finally {
      m.remove();
    }
  });
});
