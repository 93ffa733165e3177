/**
 * Broker failover (cartridge-agent.md §3.3): strato-agent with two Mosquitto brokers in `mb.urls`
 * uses the first; when that one dies it switches to the second, subscribes again, and its next
 * events (health statistics, the answer to a cleanup request) arrive there. With no broker left,
 * events are dropped after `mb.publisher.timeout` and SIGTERM still ends the agent.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@strato/testing';
import { startMosquitto, type Mosquitto } from '@strato/testing/messaging';
import { MEMBER, TestControlPlane, fastConf, listenOn, memberDir, startAgent, waitFor, type AgentProcess, type MemberDir } from './support.ts';

describe('strato-agent fails over between two Mosquitto brokers', () => {
  let a: Mosquitto;
  let b: Mosquitto;
  let cp: TestControlPlane;
  let m: MemberDir;
  let agent: AgentProcess;
  let server: Server;

  before(async () => {
    [a, b] = [await startMosquitto(), await startMosquitto()];
    const port = await freePort();
    server = await listenOn(port);
    const params = { ...MEMBER, PORTS: String(port) };
    cp = await TestControlPlane.start([a.url, b.url], params);
    m = memberDir(fastConf(`127.0.0.1:${a.port},127.0.0.1:${b.port}`), params);
  });
  after(async () => {
    await agent?.kill();
    await cp?.close();
    m?.remove();
    server?.close();
    await a?.kill();
    await b?.kill();
  });

  it('the broker in use dies: the agent switches to the other, resubscribes, and its next lifecycle event arrives there', async () => {
    agent = await startAgent(m.dir);
    await waitFor('Active', () => cp.status === 'Active');
    assert.ok(
      cp.received.filter((e) => e.name.startsWith('Instance')).every((e) => e.broker === a.url),
      'everything went to the first broker',
    );

    await a.kill();
    await waitFor('connected to the second broker', () =>
      agent.log().find((r) => r.msg === `Connected to the message broker with address 127.0.0.1:${b.port}`),
    );
    await waitFor('health statistics on the second broker', () => cp.received.find((e) => e.name === 'MemberHealthStatEvent' && e.broker === b.url));
    // a cleanup request now reaches the agent only through its new subscriptions on the second broker
    await cp.publish('InstanceCleanupMemberEvent', { memberId: MEMBER.MEMBER_ID });
    await waitFor('ReadyToShutDown', () => cp.status === 'ReadyToShutDown');
    const maintenance = cp.named('InstanceMaintenanceModeEvent');
    assert.equal(maintenance.length, 1);
    assert.equal(maintenance[0].broker, b.url);
    assert.equal(cp.named('InstanceReadyToShutdownEvent')[0].broker, b.url);
    assert.equal(cp.named('InstanceStartedEvent').length, 1, 'nothing started again');
    assert.ok(agent.log().some((r) => r.msg === `Disconnected from the message broker 127.0.0.1:${a.port}. Reconnecting...`));
  });

  it('no broker left: events are dropped after mb.publisher.timeout (logged), SIGTERM still ends the agent with 0', async () => {
    const c = await startMosquitto();
    const port = await freePort();
    const params = { ...MEMBER, PORTS: String(port) };
    const own = await listenOn(port);
    const plane = await TestControlPlane.start([c.url], params);
    const dir = memberDir(fastConf(`127.0.0.1:${c.port}`, { 'mb.publisher.timeout': 1 }), params);
    const lone = await startAgent(dir.dir);
    try {
      await waitFor('Active', () => plane.status === 'Active');
      await c.kill();
      await waitFor('the broker loss noticed', () => lone.log().find((r) => r.msg.startsWith('Disconnected from the message broker')));
      const t0 = Date.now();
      lone.signal('SIGTERM');
      assert.equal(await lone.exited, 0);
      assert.ok(Date.now() - t0 < 4_000, 'dropped after the 1 s publisher timeout, not at the 5 s drain bound');
      const timedOut = lone
        .errorLog()
        .filter((r) => /before the timeout \[1000 ms\] exceeded. The event will be dropped/.test(r.msg))
        .map((r) => r.event);
      assert.ok(timedOut.includes('InstanceMaintenanceModeEvent'), JSON.stringify(lone.errorLog()));
      assert.ok(lone.errorLog().some((r) => r.msg === 'InstanceMaintenanceModeEvent could not be published: dropped'));
    } finally {
      await lone.kill();
      await plane.close();
      own.close();
      dir.remove();
      await c.kill();
    }
  });
});
