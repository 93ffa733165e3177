import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ACTIVE_TIMINGS, SETTINGS, loadSettings, timingEnv } from '../src/settings.ts';

describe('settings', () => {
  it('the README documents every setting with its default', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const s of SETTINGS) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${s.env}\` |`));
      assert.ok(row, `README has a row for ${s.env}`);
      assert.ok(row.includes(s.default), `README gives ${s.env} its default ${s.default}`);
    }
  });

  it("has Stratos's defaults", () => {
    const s = loadSettings({});
    assert.equal(s.httpPort, 9763);
    assert.equal(s.mbPort, 1885);
    assert.equal(s.mbPublisherTimeout, 900_000);
    assert.equal(s.timings.clusterMonitorInterval, 90_000);
    assert.equal(s.timings.memberFaultTimeout, 60_000);
    assert.equal(s.timings.completeTopologyInterval, 60_000);
    assert.equal(s.timings.pendingMemberExpiryTimeout, 15 * 60_000);
    assert.equal(s.timings.pendingTerminationMemberExpiryTimeout, 30 * 60_000);
    assert.equal(s.mock.healthIntervalMs, 15_000);
    assert.deepEqual(s.mbUrls, []);
  });

  it('reads every timing from its variable', () => {
    for (const name of ACTIVE_TIMINGS) {
      assert.equal(loadSettings({ [timingEnv(name)]: '1234' }).timings[name], 1234, name);
    }
  });

  it('refuses bad values, naming the variable', () => {
    assert.throws(() => loadSettings({ STRATO_HTTP_PORT: 'x' }), /STRATO_HTTP_PORT/);
    assert.throws(() => loadSettings({ STRATO_MB_URLS: 'http://a' }), /STRATO_MB_URLS/);
    assert.throws(() => loadSettings({ STRATO_LOG_LEVEL: 'loud' }), /STRATO_LOG_LEVEL/);
    assert.throws(() => loadSettings({ STRATO_IAAS_PROVIDERS: 'ec2=aws' }), /STRATO_IAAS_PROVIDERS/);
    assert.throws(() => loadSettings({ STRATO_MEMBER_FAULT_TIMEOUT: '-5' }), /STRATO_MEMBER_FAULT_TIMEOUT/);
  });

  it('parses the broker list in order', () => {
    assert.deepEqual(loadSettings({ STRATO_MB_URLS: 'mqtt://a:1883, tcp://b:1884' }).mbUrls, ['mqtt://a:1883', 'tcp://b:1884']);
  });
});

describe('the example mock IaaS patterns file', () => {
  it('is valid and is read through STRATO_MOCK_IAAS_CONFIG', () => {
    const path = new URL('../../../config/mock-iaas.example.json', import.meta.url).pathname;
    const patterns = loadSettings({ STRATO_MOCK_IAAS_CONFIG: path }).mock.patterns;
    assert.deepEqual(Object.keys(patterns.cartridges), ['php', 'tomcat']);
    assert.equal(patterns.cartridges.php.length, 3);
    assert.equal(patterns.cartridges.tomcat[0].mode, 'stop');
  });
});
