/**
 * A member whose agent reports `ports_not_open` (strato's agent sends it when a port of the member
 * stops accepting connections) is a fault at once, as Stratos's CEP made it: MemberFaultEvent, the
 * member terminated and replaced, the cluster back at its minimum; a second report from it while
 * it goes is no second fault. (Only an Active member counts: the control plane ignores the report
 * from a member in maintenance, whose clean extension stops its server; that case is not tested
 * here: in process, a drain completes within one settle.) In process (in-memory broker, fake clock); the statistic is published on a bus of the test's own.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { membersOf } from '@strato/client';
import { startInProcessServer, type InProcessServer } from '@strato/testing/server';

const EXAMPLES = new URL('../../../examples/', import.meta.url);
const example = (file: string) => JSON.parse(readFileSync(new URL(file, EXAMPLES), 'utf8'));

describe('ports_not_open from a member', () => {
  let server: InProcessServer;

  const members = async () => membersOf(await server.client.applicationRuntime('hello-web'));
  async function portsNotOpen(m: { memberId: string; clusterId?: string; partitionId?: string; networkPartitionId?: string }, value: number) {
    const bus = server.broker.bus();
    assert.ok(
      await bus.publish('MemberHealthStatEvent', {
        clusterId: String(m.clusterId),
        clusterInstanceId: 'hello-web-1',
        networkPartitionId: String(m.networkPartitionId),
        partitionId: String(m.partitionId),
        memberId: m.memberId,
        healthDescription: 'ports_not_open',
        value,
        timestamp: server.clock.now(),
      } as never),
    );
    await bus.close();
    await server.settle();
  }

  before(async () => {
    server = await startInProcessServer({}, { STRATO_MOCK_BOOT_DELAY: '1000' });
    for (const [kind, file] of [
      ['networkPartition', 'network-partitions/local-mock.json'],
      ['autoscalingPolicy', 'autoscaling-policies/moderate.json'],
      ['deploymentPolicy', 'deployment-policies/local-mock.json'],
      ['applicationPolicy', 'application-policies/local-mock.json'],
      ['cartridge', 'cartridges/web.json'],
      ['application', 'applications/hello-web.json'],
    ] as const) {
      await server.client.collection(kind).add(example(file));
    }
    await server.client.deployApplication('hello-web', 'local-mock');
    await server.waitFor('hello-web Active', async () => (await server.client.applications.get('hello-web')).status === 'Active', 60_000);
  });

  after(() => server?.stop());

  it('a count of 0 is no fault', async () => {
    const [m] = await members();
    const faults = server.recorder.named('MemberFaultEvent').length;
    await portsNotOpen(m, 0);
    assert.equal(server.recorder.named('MemberFaultEvent').length, faults);
    assert.ok((await members()).some((x) => x.memberId === m.memberId && x.status === 'Active'));
  });

  it('an Active member reporting closed ports is faulty at once and replaced', async () => {
    const before = await members();
    assert.equal(before.length, 2);
    const victim = before[0];
    const at = server.clock.now();
    await portsNotOpen(victim, 1);
    const fault = server.recorder.named('MemberFaultEvent').find((e) => e.payload.memberId === victim.memberId);
    assert.ok(fault, 'MemberFaultEvent for the member');
    assert.equal(fault.at, at, 'at once: no fault timeout waited for (the clock has not moved)');
    // the member is on its way out (obsolete): the same report again is no second fault
    await portsNotOpen(victim, 2);
    await server.waitFor(
      'the member replaced, two Active members again',
      async () => {
        const now = await members();
        return !now.some((x) => x.memberId === victim.memberId) && now.length === 2 && now.every((x) => x.status === 'Active');
      },
      60_000,
    );
    assert.equal(server.recorder.named('MemberFaultEvent').filter((e) => e.payload.memberId === victim.memberId).length, 1, 'one fault for it');
  });
});
