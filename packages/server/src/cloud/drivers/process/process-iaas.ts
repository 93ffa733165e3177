/**
 * The process IaaS: every member is a real OS process on this host, running a cartridge agent
 * (strato's own, Stratos's Python agent, or a command: {@link AgentSpec}) in a folder of its own,
 * `<dir>/members/<member id>/`, with `agent.conf` and `payload/launch-params` written as Stratos's
 * cloud controller and deployment scripts write them, its logs (`stdout.log`, `stderr.log`), an
 * application path (`app/`), and the driver's record `instance.json`.
 *
 * - Ports: each member gets as many ports of STRATO_PROCESS_PORTS as its cartridge has port
 *   mappings; its `PORTS` / `PORT_MAPPINGS` in launch-params and the `ports` of its InstanceInfo
 *   (which the cloud controller puts in the topology) are the ports it got, so members of one
 *   cartridge run side by side on 127.0.0.1.
 * - Process: started in a process group (and session) of its own, detached: it outlives the
 *   server, like a VM. The record keeps its pid and its start time in /proc (and the boot id), so a
 *   pid reused by another process is never taken for the member's.
 * - Image: the cartridge's entry for the provider names a folder as its `imageId` (e.g.
 *   `examples/images/site`); it is copied into the agent's folder before the agent starts (its
 *   `extensions/bash/StartServers.sh` starts the member's server on its ports).
 * - Every process of a member, at any depth, inherits STRATO_MEMBER_INSTANCE (its instance id) in
 *   its environment: strato's agent runs each extension script in a process group of its own, and
 *   a server a script starts outlives the script, so the agent's process group is not enough.
 * - Termination: SIGTERM to the member's processes (the agent's group and every process with its
 *   instance id), STRATO_PROCESS_TERMINATE_GRACE, SIGKILL to what is left, then the folder is
 *   removed.
 * - Restart: {@link start} adopts every member whose process still runs and removes the folders of
 *   the others; {@link listInstances} answers from the records on disk (also before start).
 * - Watch: a process this driver started is reported the moment it exits (its `exit` event); an
 *   adopted one (started by an earlier server, not a child of this one) is checked every
 *   STRATO_PROCESS_POLL_INTERVAL. What is left of its processes is killed; its folder stays (its
 *   logs) until the cloud controller terminates the instance.
 *
 * Its scheduler (the poll of adopted processes) must run on real time, as processes do: the
 * registry gives it the server's timer scheduler, never a test's clock. The waits of a
 * termination are timers of their own that keep the process alive until it is done.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Cancel, Scheduler } from '@strato/model';
import type { Logger } from 'pino';
import type { IaasDriver, InstanceInfo, InstanceRequest, PartitionToValidate } from '../../iaas-driver.ts';
import { payloadValue, withMemberPorts } from '../../launch-payload.ts';
import { checkAgent, describeAgent, prepareAgent, repositoryRoot, type AgentSpec } from './agent-spec.ts';
import { agentConf, readRecord, thriftReceiver, writeAgentFiles, writeRecord, type InstanceRecord, type ProcessPort } from './member-files.ts';
import { PortAllocator } from './port-allocator.ts';
import { groupIsOurs, groupMembers, identify, isAlive, MARKER_VARIABLE, markedProcesses, signalAll, type ProcessIdentity } from './proc.ts';
import type { ProcessIaasSettings } from './process-iaas-settings.ts';

export interface ProcessIaasOptions extends ProcessIaasSettings {
  /** The driver's folder (STRATO_PROCESS_DIR, else `<data dir>/process-iaas`). */
  dir: string;
  /** The brokers the server uses (URLs): the members' `mb.urls`. */
  mbUrls: string[];
  /** Seconds an agent retries a publish (`mb.publisher.timeout`, STRATO_MB_PUBLISHER_TIMEOUT). */
  mbPublisherTimeoutSeconds: number;
  /** The server's own Thrift databridge receivers (`host:port`), when it runs one (STRATO_PROCESS_THRIFT_RECEIVER_URLS goes first). */
  serverThriftReceiverUrls?: string[];
  logger: Logger;
  /** Real-time timers: the poll of adopted processes. */
  scheduler: Scheduler;
}

/** The environment a member's process inherits from the server: nothing secret (no STRATO_*). */
const INHERITED_ENV = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

/** How often a termination first looks whether the member's processes are gone, ms. */
const GROUP_CHECK_MS = 25;
/** How long a termination waits for the member's processes after SIGKILL, ms. */
const AFTER_KILL_MS = 5_000;

interface Live {
  record: InstanceRecord;
  /** The process, when this driver started it (else it is adopted and polled). */
  child?: ChildProcess;
}

export class ProcessIaas implements IaasDriver {
  readonly name = 'process';
  private readonly members = new Map<string, Live>();
  private readonly starting = new Map<string, Promise<InstanceInfo>>();
  private readonly terminations = new Map<string, Promise<void>>();
  private readonly watchers = new Set<(memberId: string, reason: string) => void>();
  private readonly ports: PortAllocator;
  private readonly log: Logger;
  private poll: Cancel | undefined;
  private stopped = false;

  constructor(private readonly o: ProcessIaasOptions) {
    this.ports = new PortAllocator(o.ports);
    this.log = o.logger.child({ component: 'process-iaas' });
  }

  private get membersDir(): string {
    return join(this.o.dir, 'members');
  }

  /** The folder of a member (its id made safe as a file name). */
  memberDir(memberId: string): string {
    return join(
      this.membersDir,
      memberId.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`),
    );
  }

  async validatePartition(_partition: PartitionToValidate): Promise<void> {
    // a partition of the process IaaS is this host: any properties are accepted
  }

  /** The agent of a cartridge type. */
  agentOf(cartridgeType: string): AgentSpec {
    return this.o.agentByType[cartridgeType] ?? this.o.agent;
  }

  async start(): Promise<void> {
    this.stopped = false;
    mkdirSync(this.membersDir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(this.membersDir)) {
      const dir = join(this.membersDir, name);
      const record = readRecord(dir);
      if (record && isAlive(record.process)) {
        if (!this.members.has(record.memberId)) this.members.set(record.memberId, { record });
        continue;
      }
      // a member whose process ended while no server watched it (or one never recorded): gone,
      // with every process it left (its instance id is written before its process starts)
      signalAll(memberProcesses(record?.process, instanceIdIn(dir)), 'SIGKILL');
      this.log.info({ memberId: record?.memberId, dir }, 'removing the folder of a process member that no longer runs');
      rmSync(dir, { recursive: true, force: true });
    }
    this.log.info({ adopted: this.members.size, dir: this.o.dir }, 'process IaaS started');
    this.poll = this.o.scheduler.every('process IaaS: adopted processes', this.o.pollIntervalMs, () => this.pollAdopted());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.poll?.();
    this.poll = undefined;
    // the processes live on (like VMs); only this driver stops listening to them
    for (const live of this.members.values()) live.child?.removeAllListeners('exit');
    await Promise.allSettled([...this.starting.values(), ...this.terminations.values()]);
    this.members.clear();
    this.watchers.clear();
  }

  watch(onGone: (memberId: string, reason: string) => void): () => void {
    this.watchers.add(onGone);
    return () => this.watchers.delete(onGone);
  }

  async listInstances(): Promise<InstanceInfo[]> {
    if (!existsSync(this.membersDir)) return [];
    const out: InstanceInfo[] = [];
    for (const name of readdirSync(this.membersDir)) {
      const record = readRecord(join(this.membersDir, name));
      if (record && isAlive(record.process) && !this.terminations.has(record.memberId)) out.push(record.info);
    }
    return out;
  }

  startInstance(request: InstanceRequest): Promise<InstanceInfo> {
    const pending = this.starting.get(request.memberId);
    if (pending) return pending;
    const started = (async () => {
      await this.terminations.get(request.memberId);
      return this.launch(request);
    })().finally(() => this.starting.delete(request.memberId));
    this.starting.set(request.memberId, started);
    return started;
  }

  /** The running instance of a member (in memory, else on disk), or undefined. */
  private running(memberId: string): Live | undefined {
    const live = this.members.get(memberId);
    if (live) return isAlive(live.record.process) ? live : undefined;
    const record = readRecord(this.memberDir(memberId));
    if (record && isAlive(record.process)) {
      const adopted = { record };
      this.members.set(memberId, adopted);
      return adopted;
    }
    return undefined;
  }

  private async launch(request: InstanceRequest): Promise<InstanceInfo> {
    const { memberId } = request;
    const existing = this.running(memberId);
    if (existing) return existing.record.info;
    // a dead instance not reported yet is replaced silently: the new one is the member's now
    this.members.delete(memberId);
    const dir = this.memberDir(memberId);
    // what a dead instance of the member left (its server, say) goes with its folder
    const old = readRecord(dir);
    signalAll(memberProcesses(old?.process, old?.info.instanceId ?? instanceIdIn(dir)), 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    /** the instance id, once its processes may exist */
    let started: string | undefined;
    try {
      const spec = this.agentOf(request.cartridgeType);
      checkAgent(spec);
      const instanceId = `process-${randomBytes(8).toString('hex')}`;
      writeFileSync(join(dir, INSTANCE_ID_FILE), instanceId);
      const got = await this.ports.allocate(request.ports.length, () => this.heldPorts());
      const ports: ProcessPort[] = request.ports.map((p, i) => ({
        name: p.name ?? `${p.protocol}-${p.port}`,
        protocol: p.protocol,
        port: got[i],
        proxyPort: p.proxyPort ?? 0,
        ...(p.kubernetesPortType ? { kubernetesPortType: p.kubernetesPortType } : {}),
      }));
      const agent = prepareAgent(spec, dir);
      // the cartridge's image: its extension scripts (StartServers.sh starts the member's server) and files
      if (request.iaas.imageId) cpSync(imageFolder(request.iaas.imageId), agent.agentDir, { recursive: true, preserveTimestamps: true });
      const appDir = join(dir, 'app');
      mkdirSync(appDir, { recursive: true });
      const payload = withMemberPorts(request.payload, ports);
      const conf = agentConf({
        mbUrls: this.o.mbUrls,
        mbPublisherTimeoutSeconds: Math.max(1, this.o.mbPublisherTimeoutSeconds),
        portCheckTimeoutMs: this.o.portCheckTimeoutMs,
        portCheckIntervalMs: this.o.portCheckIntervalMs,
        thrift: thriftReceiver(this.o.thriftReceiverUrls.length > 0 ? this.o.thriftReceiverUrls : this.o.serverThriftReceiverUrls, {
          username: payloadValue(payload, 'mb.username'),
          password: payloadValue(payload, 'mb.password'),
        }),
        statsEnabled: this.o.statsEnabled,
        statsIntervalSeconds: this.o.statsIntervalSeconds,
        artifactUpdate: this.o.artifactUpdate,
        artifactUpdateIntervalSeconds: this.o.artifactUpdateIntervalSeconds,
        applicationPath: appDir,
        logLevel: this.o.agentLogLevel,
      });
      const files = writeAgentFiles(agent.agentDir, conf, payload);
      const env: Record<string, string> = {};
      for (const key of INHERITED_ENV) if (process.env[key] !== undefined) env[key] = process.env[key] as string;
      Object.assign(env, agent.env, {
        STRATO_MEMBER_ID: memberId,
        // every process of the member inherits it: how termination finds them all
        [INSTANCE_ENV]: instanceId,
        STRATO_MEMBER_DIR: dir,
        STRATO_AGENT_CONF: files.agentConf,
        STRATO_LAUNCH_PARAMS: files.launchParams,
        STRATO_PORTS: ports.map((p) => p.port).join('|'),
      });
      const out = openSync(join(dir, 'stdout.log'), 'a', 0o600);
      const err = openSync(join(dir, 'stderr.log'), 'a', 0o600);
      let child: ChildProcess;
      started = instanceId;
      try {
        child = spawn(agent.command, agent.args, { cwd: dir, env, detached: true, stdio: ['ignore', out, err] });
      } finally {
        closeSync(out);
        closeSync(err);
      }
      const identity = child.pid === undefined ? undefined : identify(child.pid);
      if (!identity) {
        const reason = await new Promise<string>((resolve) => {
          child.once('error', (e) => resolve(e.message));
          child.once('exit', (code, signal) => resolve(exitReason(code, signal)));
        });
        throw new Error(`the agent process of member ${memberId} did not start: ${reason}`);
      }
      child.unref();
      const address = '127.0.0.1';
      const info: InstanceInfo = {
        instanceId,
        memberId,
        defaultPrivateIP: address,
        defaultPublicIP: address,
        memberPrivateIPs: [address],
        memberPublicIPs: [address],
        ports: ports.map((p) => ({ ...p })),
      };
      const record: InstanceRecord = {
        memberId,
        cartridgeType: request.cartridgeType,
        agent: describeAgent(spec),
        info,
        ports,
        process: identity,
        startedAt: new Date().toISOString(),
      };
      writeRecord(dir, record);
      const live: Live = { record, child };
      this.members.set(memberId, live);
      child.once('exit', (code, signal) => this.exited(memberId, info.instanceId, exitReason(code, signal)));
      this.log.info({ memberId, pid: identity.pid, ports: ports.map((p) => p.port), agent: record.agent }, 'process member started');
      return info;
    } catch (e) {
      // a start that failed half way leaves no process behind
      if (started) signalAll(markedProcesses(`${INSTANCE_ENV}=${started}`), 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** The ports of every member this driver knows. */
  private heldPorts(): Set<number> {
    const held = new Set<number>();
    for (const live of this.members.values()) for (const p of live.record.ports) held.add(p.port);
    return held;
  }

  /** A member's process ended without being asked to: what is left of its group is killed, the watchers are told once. */
  private exited(memberId: string, instanceId: string, reason: string): void {
    const live = this.members.get(memberId);
    if (!live || live.record.info.instanceId !== instanceId || this.terminations.has(memberId) || this.stopped) return;
    this.members.delete(memberId);
    // what the agent started goes with it (a replacement gets new ports)
    signalAll(memberProcesses(live.record.process, instanceId), 'SIGKILL');
    this.log.warn({ memberId, pid: live.record.process.pid, reason }, 'a process member ended without being asked to');
    for (const w of [...this.watchers]) {
      try {
        w(memberId, reason);
      } catch (err) {
        this.log.error({ err, memberId }, 'a watcher of the process IaaS failed');
      }
    }
  }

  /** Checks the adopted processes (not this server's children): the ones that ended are reported. */
  private pollAdopted(): void {
    for (const [memberId, live] of this.members) {
      if (live.child || this.terminations.has(memberId)) continue;
      if (!isAlive(live.record.process)) this.exited(memberId, live.record.info.instanceId, 'the process ended (seen by polling)');
    }
  }

  terminateInstance(memberId: string): Promise<void> {
    const pending = this.terminations.get(memberId);
    if (pending) return pending;
    const done = (async () => {
      await this.starting.get(memberId)?.catch(() => undefined);
      const dir = this.memberDir(memberId);
      const record = this.members.get(memberId)?.record ?? readRecord(dir);
      // no record: a server that died between starting the process and recording it (the instance id is written first)
      const instanceId = record?.info.instanceId ?? instanceIdIn(dir);
      await this.endProcesses(memberId, record?.process, instanceId);
      this.members.delete(memberId);
      rmSync(dir, { recursive: true, force: true });
      if (instanceId) this.log.info({ memberId, pid: record?.process.pid, instanceId }, 'process member terminated');
    })().finally(() => this.terminations.delete(memberId));
    this.terminations.set(memberId, done);
    return done;
  }

  /**
   * A wait of a termination: a timer that keeps the process alive (the scheduler's do not), as a
   * termination under way is work to finish, not a periodic task.
   */
  private sleep(ms: number): Promise<void> {
    return delay(ms);
  }

  /**
   * SIGTERM to the member's processes (the agent's group and every process marked with its
   * instance id), the grace period, SIGKILL to what is left; resolves once none runs.
   */
  private async endProcesses(memberId: string, agent: ProcessIdentity | undefined, instanceId: string | undefined): Promise<void> {
    const left = () => memberProcesses(agent, instanceId);
    if (left().length === 0) return;
    signalAll(left(), 'SIGTERM');
    const graceEnds = Date.now() + this.o.terminateGraceMs;
    // looked at often at first (most agents end at once), less often while they take their time
    for (let wait = GROUP_CHECK_MS; left().length > 0 && Date.now() < graceEnds; wait = Math.min(wait * 1.5, 250)) {
      await this.sleep(Math.min(wait, Math.max(1, graceEnds - Date.now())));
    }
    if (left().length === 0) return;
    this.log.warn({ memberId, pid: agent?.pid, graceMs: this.o.terminateGraceMs }, 'a process member outlived its grace period: killed');
    signalAll(left(), 'SIGKILL');
    const killEnds = Date.now() + AFTER_KILL_MS;
    while (left().length > 0 && Date.now() < killEnds) await this.sleep(GROUP_CHECK_MS);
    const still = left();
    if (still.length > 0) throw new Error(`processes ${still.join(', ')} of member ${memberId} did not end after SIGKILL`);
  }
}

/** The environment variable every process of a member inherits: its instance id. */
export const INSTANCE_ENV = MARKER_VARIABLE;
/**
 * The folder of a cartridge image (the `imageId` of the cartridge's entry for the provider):
 * absolute, or relative to the server's working directory, else to the repository; throws naming
 * it when it is no folder.
 */
export function imageFolder(imageId: string): string {
  const candidates = isAbsolute(imageId) ? [imageId] : [resolve(imageId), ...(repositoryRoot() ? [join(repositoryRoot() as string, imageId)] : [])];
  for (const dir of candidates) {
    try {
      if (statSync(dir).isDirectory()) return dir;
    } catch {
      /* not this one */
    }
  }
  throw new Error(`the cartridge image ${JSON.stringify(imageId)} (imageId of its process IaaS entry) is not a folder: looked at ${candidates.join(', ')}`);
}

/** The file of a member's folder holding its instance id, written before its process starts. */
const INSTANCE_ID_FILE = 'instance-id';

function instanceIdIn(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, INSTANCE_ID_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The running processes of a member: its agent's process group (while it is the member's) and every process marked with its instance id. */
function memberProcesses(agent: ProcessIdentity | undefined, instanceId: string | undefined): number[] {
  const pids = new Set<number>();
  if (agent && groupIsOurs(agent)) for (const pid of groupMembers(agent.pid)) pids.add(pid);
  if (instanceId) for (const pid of markedProcesses(`${INSTANCE_ENV}=${instanceId}`)) pids.add(pid);
  return [...pids];
}

function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `the process was killed by ${signal}` : `the process exited with status ${code}`;
}
