import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryBroker } from '../src/index.ts';

/** The in-process EventBus of tests: the MessageBus contract without a broker. */
describe('in-memory bus', () => {
  const member = (memberId: string) => ({
    serviceName: 'php',
    clusterId: 'app.php.php.domain',
    clusterInstanceId: 'app-1',
    networkPartitionId: 'np',
    partitionId: 'p1',
    memberId,
  });

  it('delivers to every bus of the broker whose filter matches, in publish order, asynchronously, as copies', async () => {
    const broker = new InMemoryBroker();
    const a = broker.bus();
    const b = broker.bus();
    const seen: string[] = [];
    const payloads: unknown[] = [];
    await b.subscribe('topology/#', (name, payload) => {
      seen.push(`${name}:${(payload as { memberId?: string }).memberId ?? ''}`);
      payloads.push(payload);
    });
    await b.subscribe('instance/status/InstanceStartedEvent', (name) => void seen.push(`status:${name}`));
    const sent = { ...member('m1'), initTime: 1 };
    assert.equal(await a.publish('MemberCreatedEvent', sent), true);
    await a.publish('InstanceStartedEvent', { ...member('m1'), applicationId: 'app' } as never);
    await a.publish('MemberActivatedEvent', { ...member('m2') } as never);
    assert.deepEqual(seen, [], 'nothing is delivered synchronously');
    assert.equal(a.pendingCount, 3);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['MemberCreatedEvent:m1', 'status:InstanceStartedEvent', 'MemberActivatedEvent:m2']);
    assert.deepEqual(payloads[0], sent);
    assert.notEqual(payloads[0], sent, 'a copy, not the publisher object');
    assert.equal(a.pendingCount, 0);
  });

  it('stops delivering after unsubscribe and close', async () => {
    const broker = new InMemoryBroker();
    const a = broker.bus();
    const b = broker.bus();
    let count = 0;
    const unsubscribe = await b.subscribe('MemberCreatedEvent', () => void count++);
    await a.publish('MemberCreatedEvent', { ...member('m1'), initTime: 1 });
    await new Promise((r) => setImmediate(r));
    await unsubscribe();
    await a.publish('MemberCreatedEvent', { ...member('m2'), initTime: 2 });
    await new Promise((r) => setImmediate(r));
    assert.equal(count, 1);
    await b.subscribe('MemberCreatedEvent', () => void count++);
    await b.close();
    await a.publish('MemberCreatedEvent', { ...member('m3'), initTime: 3 });
    await new Promise((r) => setImmediate(r));
    assert.equal(count, 1);
    await a.close();
    assert.equal(await a.publish('MemberCreatedEvent', { ...member('m4'), initTime: 4 }), false, 'a closed bus publishes nothing');
  });

  it('a throwing handler does not keep the others from the event', async () => {
    const broker = new InMemoryBroker();
    const bus = broker.bus();
    const seen: string[] = [];
    await bus.subscribe('topology/#', () => {
      throw new Error('boom');
    });
    await bus.subscribe('topology/#', (name, _payload) => void seen.push(name));
    await bus.publish('MemberCreatedEvent', { ...member('m1'), initTime: 1 });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['MemberCreatedEvent']);
  });
});
