import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isDeploy, MANIFEST, samplesMissing, sampleText } from '@strato/testing';
import type { EventRecorder } from '@strato/testing/messaging';
import { FAST_ENV, startInProcessServer, type InProcessServer } from '@strato/testing/server';

/*
 * Every server here runs in process: an in-memory broker and a fake clock that moves while the
 * test waits (server.waitFor), so the fault timeouts pass at once.
 */

/** Faults of members: a crashed instance is replaced; a crashed instance never holds up an undeployment. */
describe('member faults', { skip: samplesMissing }, () => {
  let server: InProcessServer;
  let recorder: EventRecorder;
  const appId = 'single-cartridge-app';
  before(async () => {
    server = await startInProcessServer(
      {},
      {
        ...FAST_ENV,
        STRATO_MEMBER_FAULT_TIMEOUT: '1500',
        STRATO_MEMBER_FAULT_CHECK_INTERVAL: '100',
        // a drained member that never answers would hold the undeployment for this long without fault detection
        STRATO_PENDING_TERMINATION_MEMBER_EXPIRY_TIMEOUT: '600000',
      },
    );
    recorder = server.recorder;
    const entry = MANIFEST.find((e) => e.application.endsWith('/single-cartridge-app'))!;
    for (const call of entry.deploy) {
      if (isDeploy(call)) break;
      assert.equal((await server.call(call.method, call.path, sampleText(call.body!))).status, 201);
    }
  });
  after(() => server?.stop());

  const members = async () => {
    const r = (await server.call('GET', `/api/applications/${appId}/runtime`)).body;
    return { status: r.status as string, members: (r.applicationInstances?.[0]?.clusterInstances?.[0]?.member ?? []) as any[] };
  };

  it('replaces a member whose instance crashed', async () => {
    assert.equal((await server.call('POST', `/api/applications/${appId}/deploy/application-policy-1`, '')).status, 202);
    const { members: before } = await server.waitFor('Active', async () => ((await members()).status === 'Active' ? members() : undefined));
    const victim = before[0].memberId;
    assert.equal((await server.call('DELETE', `/mock-iaas/api/instances/${encodeURIComponent(victim)}`, undefined)).status, 200);
    await server.waitFor('fault', () => recorder.first('MemberFaultEvent', (p) => p.memberId === victim));
    await server.waitFor('terminated', () => recorder.first('MemberTerminatedEvent', (p) => p.memberId === victim));
    const now = await server.waitFor('replacement Active', async () => {
      const m = await members();
      return m.status === 'Active' && m.members.length === 1 && m.members[0].memberId !== victim ? m : undefined;
    });
    assert.equal(now.members[0].status, 'Active');
    assert.ok(!(await server.mockIaas.listInstances()).map((i) => i.memberId).includes(victim), 'the crashed instance was terminated at the IaaS');
  });

  it('undeploys although a member crashed while it was being drained', async () => {
    const { members: current } = await members();
    const victim = current[0].memberId;
    assert.equal((await server.call('POST', `/mock-iaas/api/instances/${encodeURIComponent(victim)}/kill`, '')).status, 200);
    assert.equal((await server.call('POST', `/api/applications/${appId}/undeploy`, '')).status, 202);
    await server.waitFor('Created', async () => (await server.call('GET', `/api/applications/${appId}`)).body.status === 'Created', 15_000);
    assert.equal(server.controlPlane.state.members.size, 0);
    assert.deepEqual(await server.mockIaas.listInstances(), []);
  });
});

describe('IaaS failures', { skip: samplesMissing }, () => {
  it('failed instance starts and terminations are asked again until they succeed', async () => {
    const server = await startInProcessServer({}, { ...FAST_ENV, STRATO_MEMBER_FAULT_TIMEOUT: '1500', STRATO_MEMBER_FAULT_CHECK_INTERVAL: '100' });
    const { recorder, waitFor } = server;
    try {
      const entry = MANIFEST.find((e) => e.application.endsWith('/single-cartridge-app'))!;
      for (const call of entry.deploy) {
        if (isDeploy(call)) break;
        assert.equal((await server.call(call.method, call.path, sampleText(call.body!))).status, 201);
      }
      const failures = await server.call('POST', '/mock-iaas/api/failures', { startInstance: 2 });
      assert.equal(failures.status, 200);
      assert.equal((await server.call('POST', '/api/applications/single-cartridge-app/deploy/application-policy-1', '')).status, 202);
      const runtime = await waitFor('Active', async () => {
        const r = (await server.call('GET', '/api/applications/single-cartridge-app/runtime')).body;
        return r.status === 'Active' ? r : undefined;
      });
      await waitFor('events on the wire', () => recorder.first('MemberActivatedEvent'));
      const created = recorder.named('MemberCreatedEvent').map((e) => e.payload.memberId);
      const terminated = recorder.named('MemberTerminatedEvent').map((e) => e.payload.memberId);
      assert.equal(created.length, 3, 'two failed starts, then one that worked');
      assert.deepEqual(terminated, created.slice(0, 2), 'the members whose instance never started are removed');
      const members = runtime.applicationInstances[0].clusterInstances[0].member;
      assert.deepEqual(
        members.map((m: any) => m.memberId),
        [created[2]],
      );
      assert.deepEqual(
        (await server.mockIaas.listInstances()).map((i) => i.memberId),
        [created[2]],
      );
      assert.equal((await server.call('POST', '/mock-iaas/api/failures', { startInstance: -1 })).status, 400);

      // a member whose instance the IaaS fails to terminate stays obsolete and is asked again
      const victim = created[2];
      assert.equal((await server.call('POST', '/mock-iaas/api/failures', { terminateInstance: 2 })).status, 200);
      assert.equal((await server.call('POST', `/mock-iaas/api/instances/${encodeURIComponent(victim)}/kill`, '')).status, 200);
      await waitFor('the crashed member is terminated after two failed attempts', () => recorder.first('MemberTerminatedEvent', (p) => p.memberId === victim));
      assert.ok(!(await server.mockIaas.listInstances()).map((i) => i.memberId).includes(victim), 'its instance is gone at the IaaS');
      assert.equal(server.mockIaas.failNext({}).terminateInstance, 0, 'both failing terminations were used up');
      await waitFor('Active again', async () => (await server.call('GET', '/api/applications/single-cartridge-app/runtime')).body.status === 'Active');
    } finally {
      await server.stop();
    }
  });
});

describe('spinAfterTerminate', { skip: samplesMissing }, () => {
  for (const spin of [true, false]) {
    it(`${spin ? 'waits for' : 'does not wait for'} a faulty member to be gone before starting its replacement (STRATO_SPIN_AFTER_TERMINATE=${spin})`, async () => {
      const server = await startInProcessServer(
        {},
        {
          ...FAST_ENV,
          STRATO_MEMBER_FAULT_TIMEOUT: '1500',
          STRATO_MEMBER_FAULT_CHECK_INTERVAL: '100',
          STRATO_SPIN_AFTER_TERMINATE: String(spin),
          STRATO_IAAS_RETRY_INTERVAL: '400',
        },
      );
      const { recorder, waitFor } = server;
      try {
        const entry = MANIFEST.find((e) => e.application.endsWith('/single-cartridge-app'))!;
        for (const call of entry.deploy) assert.ok((await server.call(call.method, call.path, call.body ? sampleText(call.body) : '')).status < 300);
        const rt = await waitFor('Active', async () => {
          const r = (await server.call('GET', '/api/applications/single-cartridge-app/runtime')).body;
          return r.status === 'Active' ? r : undefined;
        });
        const victim = rt.applicationInstances[0].clusterInstances[0].member[0].memberId;
        server.mockIaas.failNext({ terminateInstance: 2 });
        assert.equal((await server.call('POST', `/mock-iaas/api/instances/${encodeURIComponent(victim)}/kill`, '')).status, 200);
        const terminated = await waitFor('victim terminated', () => recorder.first('MemberTerminatedEvent', (p) => p.memberId === victim));
        const replacement = await waitFor('replacement created', () => recorder.first('MemberCreatedEvent', (p) => p.memberId !== victim));
        assert.equal(replacement.seq > terminated.seq, spin, `replacement ${spin ? 'after' : 'before'} the termination`);
      } finally {
        await server.stop();
      }
    });
  }
});

describe('mock IaaS patterns', { skip: samplesMissing }, () => {
  it('a cartridge type whose only pattern stops falls silent, and its members are found faulty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strato-patterns-'));
    const file = join(dir, 'mock-iaas.json');
    writeFileSync(file, JSON.stringify({ cartridges: { php: [{ factor: 'memory-consumption', mode: 'stop', sampleValues: [20], sampleDuration: 0.3 }] } }));
    const server = await startInProcessServer(
      {},
      { ...FAST_ENV, STRATO_MOCK_IAAS_CONFIG: file, STRATO_MEMBER_FAULT_TIMEOUT: '1500', STRATO_MEMBER_FAULT_CHECK_INTERVAL: '100' },
    );
    const { recorder, waitFor } = server;
    try {
      const entry = MANIFEST.find((e) => e.application.endsWith('/single-cartridge-app'))!;
      for (const call of entry.deploy) assert.ok((await server.call(call.method, call.path, call.body ? sampleText(call.body) : '')).status < 300);
      const activated = await waitFor('a member Active', () => recorder.first('MemberActivatedEvent'));
      const stats = await waitFor('its memory statistics', () => recorder.first('MemberHealthStatEvent', (p) => p.memberId === activated.payload.memberId));
      assert.equal(stats.payload.value, 20);
      assert.ok(!recorder.first('MemberHealthStatEvent', (p) => p.healthDescription === 'load_average'), 'factors without a pattern are not published');
      await waitFor('fault', () => recorder.first('MemberFaultEvent', (p) => p.memberId === activated.payload.memberId), 15_000);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
