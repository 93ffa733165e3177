/**
 * The cartridge agent's conversation (agent-conversation.ts): every transition of the pure state
 * machine, including the restart of an agent whose member is already Starting or Active (no
 * second InstanceStartedEvent).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  converse,
  initialConversation,
  type ConversationEffect,
  type ConversationInput,
  type ConversationOptions,
  type ConversationState,
  type MemberStatus,
} from '../src/agent-conversation.ts';

const OPTIONS: ConversationOptions = { repository: false, portCheckTimeoutMs: 1_000, portCheckIntervalMs: 100, topologyRequestIntervalMs: 10_000 };

type In = ConversationInput['type'];

/** Drives a machine, keeping every effect; `feed` returns the effects of that one input. */
class Driver {
  state: ConversationState;
  wakeAt: number | undefined;
  now = 1_000;
  constructor(options: Partial<ConversationOptions> = {}) {
    this.state = initialConversation({ ...OPTIONS, ...options });
  }
  feed(type: In, extra: Record<string, unknown> = {}): ConversationEffect[] {
    const step = converse(this.state, { type, now: this.now, ...extra } as ConversationInput);
    this.state = step.state;
    this.wakeAt = step.wakeAt;
    return step.effects;
  }
  topology(memberStatus: MemberStatus | undefined): ConversationEffect[] {
    return this.feed('topology', { memberStatus });
  }
}

const pub = (event: string): ConversationEffect => ({ type: 'publish', event }) as ConversationEffect;
const ACTIVATION: ConversationEffect[] = [pub('InstanceActivatedEvent'), { type: 'startHealthStats' }, { type: 'extension', name: 'InstanceActivatedEvent' }];

/** A machine brought to `starting` with its servers started and its port check running. */
function checkingPorts(options: Partial<ConversationOptions> = {}): Driver {
  const d = new Driver(options);
  d.feed('subscribed');
  d.topology('Initialized');
  d.feed('prepared');
  d.feed('serversStarted');
  return d;
}

describe('agent conversation: start-up', () => {
  it('asks for the topology once subscribed, and again every interval while none arrives', () => {
    const d = new Driver();
    assert.equal(d.state.phase, 'waitingForTopology');
    assert.deepEqual(d.feed('subscribed'), [pub('CompleteTopologyRequestEvent')]);
    assert.equal(d.wakeAt, 11_000);
    d.now = 5_000;
    assert.deepEqual(d.feed('subscribed'), [], 'a resubscription within the interval does not ask again');
    assert.deepEqual(d.feed('tick'), []);
    d.now = 11_000;
    assert.deepEqual(d.feed('tick'), [pub('CompleteTopologyRequestEvent')]);
    assert.equal(d.wakeAt, 21_000);
    d.topology(undefined);
    assert.equal(d.wakeAt, undefined, 'no more requests once a topology arrived');
    d.now = 30_000;
    assert.deepEqual(d.feed('tick'), []);
  });

  it('member not Initialized: waits; a MemberInitializedEvent or a later topology saying Initialized starts it', () => {
    for (const how of ['event', 'topology'] as const) {
      const d = new Driver();
      d.feed('subscribed');
      assert.deepEqual(d.topology('Created'), []);
      assert.equal(d.state.phase, 'waitingForInitialized');
      assert.deepEqual(d.topology('Created'), []);
      assert.deepEqual(how === 'event' ? d.feed('memberInitialized') : d.topology('Initialized'), [{ type: 'prepareStart' }]);
      assert.equal(d.state.phase, 'booting');
    }
  });

  it('a MemberInitializedEvent before the topology counts once the topology arrives', () => {
    const d = new Driver();
    d.feed('subscribed');
    assert.deepEqual(d.feed('memberInitialized'), []);
    assert.deepEqual(d.topology(undefined), [{ type: 'prepareStart' }]);
  });

  it('Initialized: prepares, publishes InstanceStartedEvent, starts the servers, checks the ports, activates', () => {
    const d = new Driver();
    d.feed('subscribed');
    assert.deepEqual(d.topology('Initialized'), [{ type: 'prepareStart' }]);
    assert.deepEqual(d.feed('memberInitialized'), [], 'booting: a repeated MemberInitializedEvent changes nothing');
    assert.deepEqual(d.feed('prepared'), [pub('CompleteTenantRequestEvent'), pub('InstanceStartedEvent'), { type: 'startServers' }]);
    assert.equal(d.state.phase, 'starting');
    assert.deepEqual(d.feed('prepared'), []);
    assert.deepEqual(d.feed('serversStarted'), [{ type: 'checkPorts' }]);
    assert.deepEqual(d.feed('serversStarted'), []);
    assert.deepEqual(d.feed('ports', { open: true }), ACTIVATION);
    assert.equal(d.state.phase, 'active');
  });

  it('ports closed: a new round after the interval, until the timeout; a later artifact update retries', () => {
    const d = checkingPorts({ repository: true });
    assert.deepEqual(d.feed('serversStarted'), [], 'with a repository the check waits for the artifacts');
    assert.deepEqual(d.feed('artifactsUpdated'), [{ type: 'checkPorts' }]);
    assert.deepEqual(d.feed('ports', { open: false }), []);
    assert.equal(d.wakeAt, 1_100);
    d.now = 1_050;
    assert.deepEqual(d.feed('tick'), [], 'not due yet');
    assert.deepEqual(d.feed('ports', { open: true }), [], 'a result while no round runs is ignored');
    d.now = 1_100;
    assert.deepEqual(d.feed('tick'), [{ type: 'checkPorts' }]);
    assert.equal(d.wakeAt, undefined, 'no wake-up while a round runs');
    d.now = 2_000;
    assert.deepEqual(d.feed('ports', { open: false }), [{ type: 'portsTimedOut' }]);
    assert.equal(d.state.phase, 'starting');
    assert.equal(d.wakeAt, undefined);
    d.now = 3_000;
    assert.deepEqual(d.feed('artifactsUpdated'), [{ type: 'checkPorts' }]);
    assert.deepEqual(d.feed('ports', { open: true }), [...ACTIVATION, { type: 'startArtifactUpdates' }]);
  });

  it('artifacts checked out before the start are remembered', () => {
    const d = new Driver({ repository: true });
    d.feed('subscribed');
    d.feed('artifactsUpdated');
    d.topology('Initialized');
    d.feed('prepared');
    assert.deepEqual(d.feed('serversStarted'), [{ type: 'checkPorts' }]);
  });
});

describe('agent conversation: an agent restarted (the topology says where its member is)', () => {
  it('Starting: no second InstanceStartedEvent; servers, ports, activation', () => {
    const d = new Driver();
    d.feed('subscribed');
    const fx = d.topology('Starting');
    assert.deepEqual(fx, [{ type: 'startServers' }]);
    assert.equal(d.state.phase, 'starting');
    assert.deepEqual(d.feed('serversStarted'), [{ type: 'checkPorts' }]);
    assert.deepEqual(d.feed('ports', { open: true }), ACTIVATION);
    assert.deepEqual(d.feed('memberStarted'), [pub('InstanceActivatedEvent')], 'a MemberStartedEvent now is a re-announcement');
  });

  it('Active: health statistics (and artifact updates) only, no event', () => {
    const d = new Driver({ repository: true });
    d.feed('subscribed');
    assert.deepEqual(d.topology('Active'), [{ type: 'startHealthStats' }, { type: 'startArtifactUpdates' }]);
    assert.equal(d.state.phase, 'active');
    assert.deepEqual(d.topology('Active'), [], 'later topologies change nothing');
  });

  it('In_Maintenance: cleans again then ReadyToShutdown; ReadyToShutDown: statistics only', () => {
    const d = new Driver();
    d.feed('subscribed');
    assert.deepEqual(d.topology('In_Maintenance'), [{ type: 'startHealthStats' }, { type: 'clean' }]);
    assert.deepEqual(d.feed('cleaned'), [pub('InstanceReadyToShutdownEvent')]);
    const e = new Driver();
    e.feed('subscribed');
    assert.deepEqual(e.topology('ReadyToShutDown'), [{ type: 'startHealthStats' }]);
    assert.equal(e.state.phase, 'readyToShutdown');
  });

  it('Terminated or Suspended: waits, even after a MemberInitializedEvent seen before', () => {
    for (const status of ['Terminated', 'Suspended'] as const) {
      const d = new Driver();
      d.feed('subscribed');
      d.feed('memberInitialized');
      assert.deepEqual(d.topology(status), []);
      assert.equal(d.state.phase, 'waitingForInitialized');
    }
  });
});

describe('agent conversation: repeated announcements of the control plane', () => {
  it('MemberInitializedEvent while starting / active repeats InstanceStarted / InstanceActivated', () => {
    const d = checkingPorts();
    assert.deepEqual(d.feed('memberInitialized'), [pub('InstanceStartedEvent')]);
    d.feed('ports', { open: true });
    assert.deepEqual(d.feed('memberInitialized'), [pub('InstanceActivatedEvent')]);
  });

  it('the first MemberStartedEvent answers InstanceStartedEvent; later ones to an active member repeat InstanceActivated', () => {
    const d = checkingPorts();
    assert.deepEqual(d.feed('memberStarted'), [], 'starting: the answer');
    d.feed('ports', { open: true });
    assert.deepEqual(d.feed('memberStarted'), [pub('InstanceActivatedEvent')]);
    const e = checkingPorts();
    e.feed('ports', { open: true });
    assert.deepEqual(e.feed('memberStarted'), [], 'activated before the answer arrived: the answer');
    assert.deepEqual(e.feed('memberStarted'), [pub('InstanceActivatedEvent')]);
  });

  it('MemberMaintenanceModeEvent to a member not in maintenance (a cleanup lost in a restart) finishes the cleanup', () => {
    const d = checkingPorts();
    d.feed('ports', { open: true });
    assert.deepEqual(d.feed('memberMaintenanceMode'), [pub('InstanceMaintenanceModeEvent'), { type: 'clean' }]);
    assert.equal(d.state.phase, 'maintenance');
    const e = new Driver();
    assert.deepEqual(e.feed('memberMaintenanceMode'), [], 'before the topology nothing is known');
  });

  it('MemberMaintenanceModeEvent: the first answers InstanceMaintenanceMode; later ones once ready to shut down repeat InstanceReadyToShutdown', () => {
    const d = checkingPorts();
    d.feed('cleanup');
    assert.deepEqual(d.feed('memberMaintenanceMode'), [], 'maintenance: the clean extension is not finished');
    d.feed('cleaned');
    assert.deepEqual(d.feed('memberMaintenanceMode'), [pub('InstanceReadyToShutdownEvent')]);
    const e = checkingPorts();
    e.feed('cleanup');
    e.feed('cleaned');
    assert.deepEqual(e.feed('memberMaintenanceMode'), [], 'cleaned before the answer came: the answer');
    assert.deepEqual(e.feed('memberMaintenanceMode'), [pub('InstanceReadyToShutdownEvent')]);
  });
});

describe('agent conversation: cleanup and termination', () => {
  it('cleanup: maintenance mode, clean, ready to shutdown; repeated cleanups repeat maintenance mode until then', () => {
    const d = checkingPorts();
    d.feed('ports', { open: true });
    assert.deepEqual(d.feed('cleanup'), [pub('InstanceMaintenanceModeEvent'), { type: 'clean' }]);
    assert.equal(d.state.phase, 'maintenance');
    assert.deepEqual(d.feed('cleanup'), [pub('InstanceMaintenanceModeEvent')]);
    assert.deepEqual(d.feed('cleaned'), [pub('InstanceReadyToShutdownEvent')]);
    assert.equal(d.state.phase, 'readyToShutdown');
    assert.deepEqual(d.feed('cleanup'), []);
    assert.deepEqual(d.feed('cleaned'), []);
  });

  it('cleanup during the port check stops it', () => {
    const d = checkingPorts();
    d.feed('ports', { open: false });
    d.feed('cleanup');
    d.now += 1_000;
    assert.deepEqual(d.feed('tick'), []);
    assert.deepEqual(d.feed('ports', { open: true }), []);
    assert.equal(d.state.phase, 'maintenance');
  });

  it('terminate when started: the cleanup, then exit; during a cleanup: exit once cleaned', () => {
    const d = checkingPorts();
    d.feed('ports', { open: true });
    assert.deepEqual(d.feed('terminate'), [pub('InstanceMaintenanceModeEvent'), { type: 'clean' }]);
    assert.deepEqual(d.feed('cleaned'), [pub('InstanceReadyToShutdownEvent'), { type: 'exit' }]);
    const e = checkingPorts();
    e.feed('cleanup');
    assert.deepEqual(e.feed('terminate'), []);
    assert.deepEqual(e.feed('cleaned'), [pub('InstanceReadyToShutdownEvent'), { type: 'exit' }]);
  });

  it('terminate before InstanceStartedEvent, or once ready to shut down: exit at once', () => {
    for (const setup of [
      (_d: Driver) => {},
      (d: Driver) => d.topology('Created'),
      (d: Driver) => d.topology('Initialized'),
      (d: Driver) => d.topology('ReadyToShutDown'),
    ]) {
      const d = new Driver();
      d.feed('subscribed');
      setup(d);
      assert.deepEqual(d.feed('terminate'), [{ type: 'exit' }]);
      assert.equal(d.state.phase, 'stopped');
      assert.deepEqual(d.feed('terminate'), []);
      assert.deepEqual(d.feed('cleanup'), []);
    }
  });
});

describe('agent conversation: simulated members (memberStarted activation, memberMaintenanceMode cleanup)', () => {
  const SIM = { activation: 'memberStarted', cleanup: 'memberMaintenanceMode' } as const;

  it('InstanceStarted after the boot, InstanceActivated on MemberStartedEvent, ReadyToShutdown on MemberMaintenanceModeEvent', () => {
    const d = new Driver(SIM);
    d.feed('subscribed');
    d.topology('Initialized');
    assert.deepEqual(d.feed('prepared'), [pub('CompleteTenantRequestEvent'), pub('InstanceStartedEvent')], 'no servers, no ports');
    assert.deepEqual(d.feed('memberStarted'), ACTIVATION);
    assert.deepEqual(d.feed('memberStarted'), [pub('InstanceActivatedEvent')]);
    assert.deepEqual(d.feed('cleanup'), [pub('InstanceMaintenanceModeEvent'), { type: 'clean' }]);
    assert.deepEqual(d.feed('memberMaintenanceMode'), [pub('InstanceReadyToShutdownEvent')]);
    assert.deepEqual(d.feed('memberMaintenanceMode'), [pub('InstanceReadyToShutdownEvent')]);
  });

  it('a MemberStartedEvent before the boot ended (or before MemberInitializedEvent) activates at once', () => {
    for (const status of ['Initialized', 'Created'] as const) {
      const d = new Driver(SIM);
      d.feed('subscribed');
      d.topology(status);
      assert.deepEqual(d.feed('memberStarted'), ACTIVATION, status);
      assert.deepEqual(d.feed('prepared'), [], 'the end of the boot changes nothing then');
    }
    const e = new Driver();
    e.feed('subscribed');
    e.topology('Created');
    assert.deepEqual(e.feed('memberStarted'), [], 'ports mode: no activation without the port check');
  });

  it('MemberMaintenanceModeEvent to an active member: ready to shut down at once', () => {
    const d = new Driver(SIM);
    d.feed('subscribed');
    d.topology('Active');
    assert.deepEqual(d.feed('memberMaintenanceMode'), [pub('InstanceReadyToShutdownEvent')]);
    assert.equal(d.state.phase, 'readyToShutdown');
  });

  it('resumed Starting activates at once; resumed In_Maintenance is ready to shut down at once', () => {
    const d = new Driver(SIM);
    d.feed('subscribed');
    assert.deepEqual(d.topology('Starting'), ACTIVATION);
    const e = new Driver(SIM);
    e.feed('subscribed');
    assert.deepEqual(e.topology('In_Maintenance'), [{ type: 'startHealthStats' }, pub('InstanceReadyToShutdownEvent')]);
  });
});
