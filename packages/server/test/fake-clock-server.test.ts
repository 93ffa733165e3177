import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { FakeClock, waitFor } from '@strato/testing';
import { startTestServer, type TestServer } from '@strato/testing/server';

/**
 * A whole server whose time is a fake clock (ServerServices): the mock IaaS's instances boot only
 * when the test moves time on, however long the boot delay (below the 15-minute pending expiry,
 * which the same clock drives). The control plane, the monitors and the simulated members all run
 * on the injected scheduler; the broker and the store are real.
 */
const EXAMPLES = new URL('../../../examples/', import.meta.url);
const example = (file: string) => JSON.parse(readFileSync(new URL(file, EXAMPLES), 'utf8'));

describe('a server on a fake clock', () => {
  let server: TestServer;
  after(() => server?.stop());

  it('a 10-minute boot delay passes in one step of the clock, and not a millisecond before', async () => {
    const clock = new FakeClock(Date.now());
    server = await startTestServer({}, { STRATO_MOCK_BOOT_DELAY: String(600_000), STRATO_MB_PORT: '0' }, { clock, scheduler: clock });
    for (const [path, file] of [
      ['networkPartitions', 'network-partitions/local-mock.json'],
      ['autoscalingPolicies', 'autoscaling-policies/moderate.json'],
      ['deploymentPolicies', 'deployment-policies/local-mock.json'],
      ['applicationPolicies', 'application-policies/local-mock.json'],
      ['cartridges', 'cartridges/web.json'],
      ['applications', 'applications/hello-web.json'],
    ]) {
      assert.equal((await server.call('POST', `/api/${path}`, example(file))).status, 201, file);
    }
    assert.equal((await server.call('POST', '/api/applications/hello-web/deploy/local-mock', '')).status, 202);
    const members = async () => {
      const rt = (await server.call('GET', '/api/applications/hello-web/runtime')).body;
      return (rt.applicationInstances?.[0]?.clusterInstances?.[0]?.member ?? []) as { status: string }[];
    };
    // both members get their instance and wait for their boot, scheduled on the fake clock
    await waitFor('two members booting', async () => (await members()).filter((m) => m.status === 'Initialized').length === 2);
    // the simulated agents hear of their members' initialisation (MemberInitializedEvent) and schedule their boot
    await waitFor('two boots scheduled 10 minutes ahead', () => clock.pending().filter((t) => t === 'mock instance boot@600000').length === 2);
    clock.advance(599_999);
    assert.deepEqual(
      clock.pending().filter((t) => t.startsWith('mock instance boot@')),
      ['mock instance boot@1', 'mock instance boot@1'],
      'both boots still 1 ms ahead',
    );
    assert.ok(
      (await members()).every((m) => m.status === 'Initialized'),
      'no boot before the 10 minutes are over',
    );
    clock.advance(1);
    await waitFor('hello-web Active', async () => (await server.call('GET', '/api/applications/hello-web')).body.status === 'Active');
    assert.deepEqual(
      (await members()).map((m) => m.status),
      ['Active', 'Active'],
    );
  });
});
