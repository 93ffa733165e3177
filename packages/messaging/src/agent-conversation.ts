/**
 * The cartridge agent's side of the conversation with the control plane, as ONE pure state
 * machine: which event, in which phase, leads to which event (cartridge-agent.md §1, with the
 * defects of §8 fixed). No I/O and no clock: every input carries `now`, and the machine answers
 * with the effects its driver must carry out and the time it wants to be woken at (`wakeAt`).
 *
 * Used by strato's cartridge agent (`packages/agent`, effects = MQTT publishes, extension scripts,
 * TCP port probes) and by the mock IaaS's simulated members
 * (packages/server/src/cloud/drivers/mock/mock-members.ts: effects = publishes, a boot delay, no
 * ports).
 *
 * | phase                   | input                                        | effects                                                   | next phase              |
 * |-------------------------|----------------------------------------------|-----------------------------------------------------------|-------------------------|
 * | waitingForTopology      | `subscribed` (SUBACK of every filter)        | publish CompleteTopologyRequestEvent (again every `topologyRequestIntervalMs` while waiting) | same |
 * | waitingForTopology      | `topology` with own member `Initialized` (or a MemberInitializedEvent seen before) | `prepareStart`      | booting                 |
 * | waitingForTopology      | `topology` with own member `Starting`         | `startServers` (ports mode) / activation (memberStarted mode) | starting             |
 * | waitingForTopology      | `topology` with own member `Active`           | `startHealthStats`, `startArtifactUpdates` (repository)  | active (no event: resumed) |
 * | waitingForTopology      | `topology` with own member `In_Maintenance`   | `clean` (extension mode) / publish ReadyToShutdown         | maintenance / readyToShutdown |
 * | waitingForTopology      | `topology` with own member `ReadyToShutDown`  | —                                                         | readyToShutdown         |
 * | waitingForTopology      | `topology`, member absent or `Created`        | —                                                         | waitingForInitialized   |
 * | waitingForInitialized   | `memberInitialized`, or `topology` saying Initialized | `prepareStart`                                    | booting                 |
 * | booting                 | `prepared`                                   | publish CompleteTenantRequestEvent, InstanceStartedEvent; `startServers` | starting     |
 * | starting                | `serversStarted`                             | `checkPorts` unless a repository is awaited               | starting                |
 * | starting                | `artifactsUpdated`                           | `checkPorts` once the servers started                     | starting                |
 * | starting                | `ports` all open                             | publish InstanceActivatedEvent; `startHealthStats`; extension InstanceActivatedEvent; `startArtifactUpdates` (repository) | active |
 * | starting                | `ports` not all open                         | `checkPorts` again after `portCheckIntervalMs`; after `portCheckTimeoutMs` `portsTimedOut` (a later `artifactsUpdated` retries) | starting |
 * | waitingForInitialized, booting, starting (memberStarted mode) | `memberStarted` | activation as above                   | active                  |
 * | starting                | `memberInitialized` (re-announced)           | publish InstanceStartedEvent again                        | starting                |
 * | active                  | `memberInitialized` (re-announced)           | publish InstanceActivatedEvent again                      | active                  |
 * | active                  | `memberStarted` after the first one (re-announced) | publish InstanceActivatedEvent again                | active                  |
 * | any before maintenance  | `cleanup` (InstanceCleanupMember/ClusterEvent for it) | publish InstanceMaintenanceModeEvent; `clean`     | maintenance             |
 * | maintenance             | `cleanup` (repeated)                         | publish InstanceMaintenanceModeEvent again                | maintenance             |
 * | maintenance             | `cleaned`                                    | publish InstanceReadyToShutdownEvent (then `exit` after `terminate`) | readyToShutdown |
 * | readyToShutdown         | `memberMaintenanceMode` after the first one (re-announced) | publish InstanceReadyToShutdownEvent again   | readyToShutdown         |
 * | waitingForInitialized … active | `memberMaintenanceMode` (the control plane has it in maintenance: a cleanup the agent lost in a restart) | as `cleanup` (memberMaintenanceMode mode: publish InstanceReadyToShutdownEvent) | maintenance / readyToShutdown |
 * | starting, active        | `terminate` (SIGTERM)                        | as `cleanup`, then `exit` once cleaned                    | maintenance             |
 * | before InstanceStarted  | `terminate`                                  | `exit`                                                    | stopped                 |
 *
 * Fixed defects of Stratos's agent (cartridge-agent.md §8): an agent restarted while its member is
 * already Starting or Active picks up where it was from the topology, without a second
 * InstanceStartedEvent (§8.9); the topology is requested only after the subscriptions are
 * acknowledged and again while none arrives (§8.8); the configured port list is never mutated
 * (§8.6); a repeated control-plane announcement is answered with the event of the current phase.
 *
 * Modes (for the simulated members): `activation: 'memberStarted'` activates on the control
 * plane's MemberStartedEvent instead of a port check; `cleanup: 'memberMaintenanceMode'` treats
 * the control plane's MemberMaintenanceModeEvent as the end of the cleanup.
 */

import type { MemberStatus } from './wire/topology.ts';

export type { MemberStatus };

/** Where the conversation is. */
export type AgentPhase = 'waitingForTopology' | 'waitingForInitialized' | 'booting' | 'starting' | 'active' | 'maintenance' | 'readyToShutdown' | 'stopped';

/** The events the conversation publishes. */
export type ConversationEvent =
  | 'CompleteTopologyRequestEvent'
  | 'CompleteTenantRequestEvent'
  | 'InstanceStartedEvent'
  | 'InstanceActivatedEvent'
  | 'InstanceMaintenanceModeEvent'
  | 'InstanceReadyToShutdownEvent';

/** Options of the conversation; durations in milliseconds. */
export interface ConversationOptions {
  /** `REPO_URL` is set: activation waits for the first artifact checkout. */
  repository: boolean;
  /** How long the port check goes on (`port.check.timeout`, Stratos 600000). */
  portCheckTimeoutMs: number;
  /** Wait between two port check rounds (Stratos 5000). */
  portCheckIntervalMs: number;
  /** Wait before asking for the complete topology again while none arrived (above the broker's 5 s request limit). */
  topologyRequestIntervalMs: number;
  /** What activates: the agent's port check (default) or the control plane's MemberStartedEvent (simulated members). */
  activation?: 'ports' | 'memberStarted';
  /** What ends the cleanup: the `clean` extension (default) or the control plane's MemberMaintenanceModeEvent. */
  cleanup?: 'extension' | 'memberMaintenanceMode';
}

/** What the driver feeds the machine. */
export type ConversationInput =
  | { type: 'subscribed'; now: number }
  | { type: 'tick'; now: number }
  | { type: 'topology'; memberStatus: MemberStatus | undefined; now: number }
  | { type: 'memberInitialized'; now: number }
  | { type: 'prepared'; now: number }
  | { type: 'serversStarted'; now: number }
  | { type: 'artifactsUpdated'; now: number }
  | { type: 'ports'; open: boolean; now: number }
  | { type: 'memberStarted'; now: number }
  | { type: 'cleanup'; now: number }
  | { type: 'cleaned'; now: number }
  | { type: 'memberMaintenanceMode'; now: number }
  | { type: 'terminate'; now: number };

/** What the machine asks its driver to do. Inputs named in the comments are expected back. */
export type ConversationEffect =
  | { type: 'publish'; event: ConversationEvent }
  /** Prepare the start (agent: the InstanceStartedEvent extension; simulated: the boot delay), then `prepared`. */
  | { type: 'prepareStart' }
  /** Start the member's servers (agent: the StartServers extension), then `serversStarted`. */
  | { type: 'startServers' }
  /** One round of the port check, then `ports`. */
  | { type: 'checkPorts' }
  /** The port check gave up (logged; a later `artifactsUpdated` retries). */
  | { type: 'portsTimedOut' }
  /** Run an extension whose end the conversation does not wait for. */
  | { type: 'extension'; name: 'InstanceActivatedEvent' }
  /** Run the cleanup (agent: the `clean` extension), then `cleaned`. */
  | { type: 'clean' }
  | { type: 'startHealthStats' }
  | { type: 'startArtifactUpdates' }
  /** Stop the process (exit status 0). */
  | { type: 'exit' };

/** The machine's state (plain data; the driver keeps it between inputs). */
export interface ConversationState {
  readonly options: Required<ConversationOptions>;
  readonly phase: AgentPhase;
  /** A MemberInitializedEvent for the member arrived before the topology. */
  readonly initializedSeen: boolean;
  /** When the complete topology was last requested (undefined: not yet). */
  readonly topologyRequestedAt: number | undefined;
  /** The servers were started (StartServers ran) in this process. */
  readonly serversStarted: boolean;
  /** An artifact checkout succeeded (only matters with a repository). */
  readonly artifactsReady: boolean;
  /** A port check is under way: when it began and when its next round is due (undefined: a round is running). */
  readonly portCheck: { readonly since: number; readonly nextAt: number | undefined } | undefined;
  /** The MemberStartedEvent answering InstanceStartedEvent arrived; later ones are re-announcements. */
  readonly memberStartedSeen: boolean;
  /** The MemberMaintenanceModeEvent answering InstanceMaintenanceModeEvent arrived; later ones are re-announcements. */
  readonly memberMaintenanceSeen: boolean;
  /** `terminate` arrived: exit once the cleanup is done. */
  readonly exitWhenCleaned: boolean;
}

/** The machine's answer to one input. */
export interface ConversationStep {
  state: ConversationState;
  effects: ConversationEffect[];
  /** Feed `tick` at this time (epoch ms), if defined. */
  wakeAt: number | undefined;
}

/** The initial state: subscribing, nothing requested yet. */
export function initialConversation(options: ConversationOptions): ConversationState {
  return {
    options: { activation: 'ports', cleanup: 'extension', ...options },
    phase: 'waitingForTopology',
    initializedSeen: false,
    topologyRequestedAt: undefined,
    serversStarted: false,
    artifactsReady: false,
    portCheck: undefined,
    memberStartedSeen: false,
    memberMaintenanceSeen: false,
    exitWhenCleaned: false,
  };
}

/** When the machine wants a `tick`: the next topology request or port check round. */
export function wakeAtOf(s: ConversationState): number | undefined {
  if (s.phase === 'waitingForTopology' && s.topologyRequestedAt !== undefined) return s.topologyRequestedAt + s.options.topologyRequestIntervalMs;
  if (s.phase === 'starting' && s.portCheck?.nextAt !== undefined) return s.portCheck.nextAt;
  return undefined;
}

/** Phases before InstanceStartedEvent was published. */
const NOT_STARTED: ReadonlySet<AgentPhase> = new Set(['waitingForTopology', 'waitingForInitialized', 'booting']);

/** Feeds one input to the machine. Pure: the same state and input give the same step. */
export function converse(state: ConversationState, input: ConversationInput): ConversationStep {
  const effects: ConversationEffect[] = [];
  const s = next(state, input, effects);
  return { state: s, effects, wakeAt: wakeAtOf(s) };
}

function next(s: ConversationState, input: ConversationInput, fx: ConversationEffect[]): ConversationState {
  const o = s.options;
  const publish = (event: ConversationEvent) => fx.push({ type: 'publish', event });
  switch (input.type) {
    case 'subscribed':
    case 'tick': {
      if (s.phase === 'waitingForTopology') {
        const due = s.topologyRequestedAt === undefined || input.now >= s.topologyRequestedAt + o.topologyRequestIntervalMs;
        if (!due) return s;
        publish('CompleteTopologyRequestEvent');
        return { ...s, topologyRequestedAt: input.now };
      }
      if (input.type === 'tick' && s.phase === 'starting' && s.portCheck?.nextAt !== undefined && input.now >= s.portCheck.nextAt) {
        fx.push({ type: 'checkPorts' });
        return { ...s, portCheck: { since: s.portCheck.since, nextAt: undefined } };
      }
      return s;
    }
    case 'topology': {
      if (s.phase === 'waitingForInitialized') {
        return input.memberStatus === 'Initialized' ? boot(s, fx) : s;
      }
      if (s.phase !== 'waitingForTopology') return s;
      return resume(s, input.memberStatus, fx);
    }
    case 'memberInitialized':
      switch (s.phase) {
        case 'waitingForTopology':
          return { ...s, initializedSeen: true };
        case 'waitingForInitialized':
          return boot(s, fx);
        case 'starting':
          publish('InstanceStartedEvent');
          return s;
        case 'active':
          publish('InstanceActivatedEvent');
          return s;
        default:
          return s;
      }
    case 'prepared': {
      if (s.phase !== 'booting') return s;
      publish('CompleteTenantRequestEvent');
      publish('InstanceStartedEvent');
      return startServers({ ...s, phase: 'starting', memberStartedSeen: false }, fx);
    }
    case 'serversStarted': {
      if (s.phase !== 'starting' || s.serversStarted) return s;
      return maybeCheckPorts({ ...s, serversStarted: true }, input.now, fx);
    }
    case 'artifactsUpdated': {
      if (NOT_STARTED.has(s.phase)) return { ...s, artifactsReady: true };
      if (s.phase !== 'starting') return s;
      return maybeCheckPorts({ ...s, artifactsReady: true }, input.now, fx);
    }
    case 'ports': {
      if (s.phase !== 'starting' || s.portCheck === undefined || s.portCheck.nextAt !== undefined) return s;
      if (input.open) return activate({ ...s, portCheck: undefined }, fx);
      if (input.now - s.portCheck.since >= o.portCheckTimeoutMs) {
        fx.push({ type: 'portsTimedOut' });
        return { ...s, portCheck: undefined };
      }
      return { ...s, portCheck: { since: s.portCheck.since, nextAt: input.now + o.portCheckIntervalMs } };
    }
    case 'memberStarted': {
      if (s.phase === 'active') {
        if (s.memberStartedSeen) publish('InstanceActivatedEvent');
        return { ...s, memberStartedSeen: true };
      }
      if (o.activation === 'memberStarted' && (s.phase === 'starting' || s.phase === 'booting' || s.phase === 'waitingForInitialized')) {
        return activate({ ...s, memberStartedSeen: true }, fx);
      }
      if (s.phase === 'starting') return { ...s, memberStartedSeen: true };
      return s;
    }
    case 'cleanup':
      return cleanup(s, fx);
    case 'cleaned': {
      if (s.phase !== 'maintenance') return s;
      publish('InstanceReadyToShutdownEvent');
      if (s.exitWhenCleaned) fx.push({ type: 'exit' });
      return { ...s, phase: 'readyToShutdown' };
    }
    case 'memberMaintenanceMode': {
      if (s.phase === 'readyToShutdown') {
        // the first one answers InstanceMaintenanceModeEvent; later ones are re-announcements
        if (s.memberMaintenanceSeen) publish('InstanceReadyToShutdownEvent');
        return { ...s, memberMaintenanceSeen: true };
      }
      if (s.phase === 'maintenance') {
        return o.cleanup === 'memberMaintenanceMode'
          ? next({ ...s, memberMaintenanceSeen: true }, { type: 'cleaned', now: input.now }, fx)
          : { ...s, memberMaintenanceSeen: true };
      }
      if (s.phase === 'waitingForTopology' || s.phase === 'stopped') return s;
      // The control plane has the member in maintenance although this agent never entered it (its
      // InstanceMaintenanceModeEvent went out, then the agent restarted): finish the cleanup.
      if (o.cleanup === 'memberMaintenanceMode') {
        publish('InstanceReadyToShutdownEvent');
        return { ...s, phase: 'readyToShutdown', portCheck: undefined, memberMaintenanceSeen: true };
      }
      return { ...cleanup(s, fx), memberMaintenanceSeen: true };
    }
    case 'terminate': {
      if (s.phase === 'stopped') return s;
      if (NOT_STARTED.has(s.phase) || s.phase === 'readyToShutdown') {
        fx.push({ type: 'exit' });
        return { ...s, phase: 'stopped' };
      }
      if (s.phase === 'maintenance') return { ...s, exitWhenCleaned: true };
      return cleanup({ ...s, exitWhenCleaned: true }, fx);
    }
  }
}

/** The member is Initialized: prepare the start. */
function boot(s: ConversationState, fx: ConversationEffect[]): ConversationState {
  fx.push({ type: 'prepareStart' });
  return { ...s, phase: 'booting' };
}

/** The first complete topology: start, or pick up where the member already is (an agent restart). */
function resume(s: ConversationState, status: MemberStatus | undefined, fx: ConversationEffect[]): ConversationState {
  switch (status) {
    case 'Initialized':
      return boot(s, fx);
    case 'Starting':
      // InstanceStartedEvent was published by an earlier run: not again. The servers are started again (idempotent scripts).
      if (s.options.activation === 'memberStarted') return activate({ ...s, phase: 'starting', memberStartedSeen: true }, fx);
      return startServers({ ...s, phase: 'starting', memberStartedSeen: true }, fx);
    case 'Active':
      fx.push({ type: 'startHealthStats' });
      if (s.options.repository) fx.push({ type: 'startArtifactUpdates' });
      return { ...s, phase: 'active', memberStartedSeen: true };
    case 'In_Maintenance':
      fx.push({ type: 'startHealthStats' });
      if (s.options.cleanup === 'memberMaintenanceMode') {
        fx.push({ type: 'publish', event: 'InstanceReadyToShutdownEvent' });
        return { ...s, phase: 'readyToShutdown', memberMaintenanceSeen: true };
      }
      fx.push({ type: 'clean' });
      return { ...s, phase: 'maintenance', memberMaintenanceSeen: true };
    case 'ReadyToShutDown':
      fx.push({ type: 'startHealthStats' });
      return { ...s, phase: 'readyToShutdown', memberMaintenanceSeen: true };
    default:
      return s.initializedSeen && status !== 'Terminated' && status !== 'Suspended' ? boot(s, fx) : { ...s, phase: 'waitingForInitialized' };
  }
}

function startServers(s: ConversationState, fx: ConversationEffect[]): ConversationState {
  if (s.options.activation === 'memberStarted') return s;
  fx.push({ type: 'startServers' });
  return { ...s, serversStarted: false };
}

/** Starts a port check if the servers started and, with a repository, the artifacts are there. */
function maybeCheckPorts(s: ConversationState, now: number, fx: ConversationEffect[]): ConversationState {
  if (s.options.activation === 'memberStarted' || s.portCheck !== undefined) return s;
  if (!s.serversStarted || (s.options.repository && !s.artifactsReady)) return s;
  fx.push({ type: 'checkPorts' });
  return { ...s, portCheck: { since: now, nextAt: undefined } };
}

function activate(s: ConversationState, fx: ConversationEffect[]): ConversationState {
  fx.push({ type: 'publish', event: 'InstanceActivatedEvent' });
  fx.push({ type: 'startHealthStats' });
  fx.push({ type: 'extension', name: 'InstanceActivatedEvent' });
  if (s.options.repository) fx.push({ type: 'startArtifactUpdates' });
  return { ...s, phase: 'active', portCheck: undefined };
}

function cleanup(s: ConversationState, fx: ConversationEffect[]): ConversationState {
  if (s.phase === 'maintenance') {
    fx.push({ type: 'publish', event: 'InstanceMaintenanceModeEvent' });
    return s;
  }
  if (s.phase === 'readyToShutdown' || s.phase === 'stopped') return s;
  fx.push({ type: 'publish', event: 'InstanceMaintenanceModeEvent' });
  fx.push({ type: 'clean' });
  return { ...s, phase: 'maintenance', portCheck: undefined, memberMaintenanceSeen: false };
}
