/**
 * Broker failover (cartridge-agent.md §3.3): strato-agent with two Mosquitto brokers in `mb.urls`
 * uses the first; when that one dies it switches to the second, subscribes again, and its next
 * events (health statistics, the answer to a cleanup request) arrive there.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@strato/testing';
import { startMosquitto, type Mosquitto } from '../../messaging/test/support.ts';
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
    assert.ok(cp.received.filter((e) => e.name.startsWith('Instance')).every((e) => e.broker === a.url), 'everything went to the first broker');

    await a.kill();
    await waitFor('connected to the second broker', () => agent.log().find((r) => r.msg === `Connected to the message broker with address 127.0.0.1:${b.port}`));
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
});
