import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { freePort } from '../src/index.ts';
import { startInProcessServer, type InProcessServer } from '../src/server.ts';

/**
 * The in-process test server: strato on an in-memory broker (ServerServices.eventBroker) and a fake
 * clock that moves only while the test waits.
 */
const EXAMPLES = new URL('../../../examples/', import.meta.url);
const example = (file: string) => JSON.parse(readFileSync(new URL(file, EXAMPLES), 'utf8'));

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('a server in process', () => {
  let server: InProcessServer;
  after(() => server?.stop());

  it('starts no MQTT broker; its members boot on the fake clock and speak over the in-memory broker', async () => {
    const mbPort = await freePort();
    server = await startInProcessServer({}, { STRATO_MOCK_BOOT_DELAY: String(600_000), STRATO_MB_PORT: String(mbPort) });
    assert.deepEqual(server.mbUrls, []);
    assert.equal(server.mbCredentials, undefined);
    assert.ok(await refused(mbPort), `nothing listens on STRATO_MB_PORT ${mbPort}`);

    const start = server.clock.now();
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
    await server.waitFor('hello-web Active', async () => (await server.client.applications.get('hello-web')).status === 'Active', 15 * 60_000);
    assert.ok(server.clock.now() - start >= 600_000, 'the clock moved past the boot delay');

    // the simulated members answered on their own bus of the broker, stamped with the clock's time
    const started = server.recorder.named('InstanceStartedEvent');
    assert.equal(started.length, 2);
    for (const e of started) assert.ok(e.at - start >= 600_000, `InstanceStartedEvent ${e.at - start} ms after the start`);
    assert.equal(server.recorder.named('MemberActivatedEvent').length, 2);
    // a bus of the test's own on the same broker reaches the server: it answers a complete-topology request
    const since = server.recorder.events.length;
    const bus = server.broker.bus();
    assert.ok(await bus.publish('CompleteTopologyRequestEvent', {}));
    await bus.close();
    const topology = await server.waitFor(
      'CompleteTopologyEvent',
      () => server.recorder.events.slice(since).find((e) => e.name === 'CompleteTopologyEvent'),
      1,
    );
    assert.ok(topology.payload.topology.serviceMap.web, 'the topology has the web service');
  });

  it('advance moves the clock by exactly its time, running the periodic tasks on the way', async () => {
    const before = server.clock.now();
    const topologies = server.recorder.named('CompleteTopologyEvent').length;
    await server.advance(120_000);
    assert.equal(server.clock.now() - before, 120_000);
    // the complete topology is published every 60 s (STRATO_COMPLETE_TOPOLOGY_INTERVAL's default)
    assert.equal(server.recorder.named('CompleteTopologyEvent').length - topologies, 2);
  });

  it('waitFor gives up after its timeout of fake time, naming what it waited for', async () => {
    const before = server.clock.now();
    await assert.rejects(
      server.waitFor('something that never happens', () => false, 60_000),
      /timed out after 60000 ms of fake time waiting for something that never happens/,
    );
    assert.equal(server.clock.now() - before, 60_000);
  });
});
