/**
 * The settings of the process IaaS (STRATO_PROCESS_*), read from environment variables. Kept
 * beside the driver so that the server's settings module includes them as one block
 * (`PROCESS_IAAS_SETTINGS` for the README table, `loadProcessIaasSettings` for the values).
 */
import { choice, custom, flag, infoOf, integer, list, optionalText, type SettingInfo } from '../../../settings/define.ts';
import { parseAgentSpec, parseAgentsByType, type AgentSpec } from './agent-spec.ts';

/** The process IaaS settings. */
export interface ProcessIaasSettings {
  /** STRATO_PROCESS_DIR: where the members' folders are; undefined: `process-iaas` in the data dir. */
  dir: string | undefined;
  /** STRATO_PROCESS_AGENT: the agent every member runs unless its cartridge type has its own. @default strato */
  agent: AgentSpec;
  /** STRATO_PROCESS_AGENT_BY_TYPE: the agent of a cartridge type. @default {} */
  agentByType: Record<string, AgentSpec>;
  /** STRATO_PROCESS_PORTS: the ports members get, `from-to` (both included). @default 15000-15999 */
  ports: { from: number; to: number };
  /** STRATO_PROCESS_TERMINATE_GRACE: ms between SIGTERM and SIGKILL. @default 10000 */
  terminateGraceMs: number;
  /** STRATO_PROCESS_POLL_INTERVAL: ms between two checks of a member process the server did not start. @default 1000 */
  pollIntervalMs: number;
  /** STRATO_PROCESS_PORT_CHECK_TIMEOUT: agent.conf `port.check.timeout`, ms. @default 600000 */
  portCheckTimeoutMs: number;
  /** STRATO_PROCESS_PORT_CHECK_INTERVAL: agent.conf `port.check.interval` (strato's agent), ms. @default 5000 */
  portCheckIntervalMs: number;
  /** STRATO_PROCESS_THRIFT_RECEIVER_URLS: agent.conf `thrift.receiver.urls` (`host:port` list); empty: the server's own receiver, else 127.0.0.1:7711. @default [] */
  thriftReceiverUrls: string[];
  /** STRATO_PROCESS_STATS_ENABLED: agent.conf `cep.stats.publisher.enabled`. @default true */
  statsEnabled: boolean;
  /** STRATO_PROCESS_STATS_INTERVAL: agent.conf `stats.notifier.interval`, seconds. @default 15 */
  statsIntervalSeconds: number;
  /** STRATO_PROCESS_ARTIFACT_UPDATE: agent.conf `enable.artifact.update`. @default true */
  artifactUpdate: boolean;
  /** STRATO_PROCESS_ARTIFACT_UPDATE_INTERVAL: agent.conf `artifact.update.interval`, seconds. @default 10 */
  artifactUpdateIntervalSeconds: number;
  /** STRATO_PROCESS_AGENT_LOG_LEVEL: agent.conf `log.level` (strato's agent). @default info */
  agentLogLevel: string;
}

export const DEFAULT_PROCESS_PORTS = { from: 15000, to: 15999 };

function portRange(raw: string | undefined): { from: number; to: number } {
  if (raw === undefined) return { ...DEFAULT_PROCESS_PORTS };
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(raw);
  const from = Number(m?.[1]);
  const to = Number(m?.[2]);
  if (!m || from < 1 || to > 65535 || from > to) {
    throw new Error(`Setting STRATO_PROCESS_PORTS=${JSON.stringify(raw)} is invalid: expected from-to, two ports from 1 to 65535, from not above to`);
  }
  return { from, to };
}

const MAX_MS = 2 ** 31 - 1;
const AGENT_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** The process IaaS settings, declared once: README row and reader. */
const DECLARED = {
  dir: optionalText(
    'STRATO_PROCESS_DIR',
    'Folder of the process IaaS: one folder per member (`members/<member id>`) holding its `agent.conf`, `payload/launch-params`, `instance.json` (pid, start time, ports), `stdout.log` / `stderr.log` and its application path `app/`. Members outlive the server and are adopted from here after a restart.',
    '(data dir)/process-iaas',
  ),
  agent: custom(
    'STRATO_PROCESS_AGENT',
    'strato',
    "The agent a member of the process IaaS runs: `strato` (strato's own agent, `packages/agent` of this repository), `stratos:<folder>` (Stratos's Python agent as `../shared/stratos-agent/setup.sh <folder>` made it: each member runs a copy of `<folder>/agent` with `<folder>/venv/bin/python`), or `command:<shell command>` (run by `/bin/sh -c` in the member's folder, with STRATO_MEMBER_ID, STRATO_MEMBER_DIR, STRATO_AGENT_CONF, STRATO_LAUNCH_PARAMS and STRATO_PORTS in its environment). A member's process inherits no other variable of the server but PATH, HOME, USER, LANG, LC_ALL, TZ and TMPDIR. The cartridge's image for the provider (its `iaasProvider` entry's `imageId`: a folder, absolute or relative to the server's working directory or the repository) is copied into the agent's folder first: its `extensions/bash/StartServers.sh` starts the member's server.",
    (v) => parseAgentSpec(v ?? 'strato', 'STRATO_PROCESS_AGENT'),
  ),
  agentByType: custom(
    'STRATO_PROCESS_AGENT_BY_TYPE',
    '(unset)',
    'The agent of particular cartridge types, over STRATO_PROCESS_AGENT: `type=agent` pairs separated by `;` (e.g. `php=stratos:/opt/pca;tomcat=strato`), or a JSON object `{"type":"agent"}`.',
    (v) => parseAgentsByType(v ?? ''),
  ),
  ports: custom(
    'STRATO_PROCESS_PORTS',
    `${DEFAULT_PROCESS_PORTS.from}-${DEFAULT_PROCESS_PORTS.to}`,
    'Ports the process IaaS hands out, `from-to`: each member gets as many free ones as its cartridge has port mappings (its `PORTS` and `PORT_MAPPINGS` in `launch-params`, and its ports in the topology, are the ports it got), so that members of one cartridge run side by side on 127.0.0.1.',
    portRange,
  ),
  terminateGraceMs: integer(
    'STRATO_PROCESS_TERMINATE_GRACE',
    10_000,
    "Milliseconds between SIGTERM to a member's process group and SIGKILL, when its instance is terminated; then its folder is removed.",
    { min: 0, max: 3_600_000 },
  ),
  pollIntervalMs: integer(
    'STRATO_PROCESS_POLL_INTERVAL',
    1000,
    'Milliseconds between two checks (pid and start time in /proc) of the member processes a previous server started: an adopted process that exits is reported within this time (a process the running server started is reported the moment it exits).',
    { min: 10, max: 3_600_000 },
  ),
  portCheckTimeoutMs: integer(
    'STRATO_PROCESS_PORT_CHECK_TIMEOUT',
    600_000,
    "A process member's `port.check.timeout`: milliseconds its agent waits for the member's ports to open (Stratos: 600000).",
    { min: 0, max: MAX_MS },
  ),
  portCheckIntervalMs: integer(
    'STRATO_PROCESS_PORT_CHECK_INTERVAL',
    5000,
    "A process member's `port.check.interval` (strato's agent): milliseconds between two rounds of its port check (Stratos's agent: 5 s, fixed).",
    { min: 1, max: 3_600_000 },
  ),
  thriftReceiverUrls: list(
    'STRATO_PROCESS_THRIFT_RECEIVER_URLS',
    "A process member's `thrift.receiver.urls`: the CEP / databridge receivers (`host:port`, comma-separated) where Stratos's Python agent sends its health statistics over Thrift (strato's agent sends them over MQTT and only checks the value). Unset: the server's own databridge receiver when it runs one, else `127.0.0.1:7711` (a closed port is harmless: the agent logs it and carries on). The account is the member's own broker user and password.",
  ),
  statsEnabled: flag('STRATO_PROCESS_STATS_ENABLED', true, "A process member's `cep.stats.publisher.enabled`: whether its agent sends health statistics."),
  statsIntervalSeconds: integer(
    'STRATO_PROCESS_STATS_INTERVAL',
    15,
    "A process member's `stats.notifier.interval`: seconds between two rounds of health statistics (Stratos: 15).",
    { min: 1, max: 86_400 },
  ),
  artifactUpdate: flag(
    'STRATO_PROCESS_ARTIFACT_UPDATE',
    true,
    "A process member's `enable.artifact.update` and `auto.checkout`: whether its agent runs the periodic artifact update task once its repository was cloned, pulling what was pushed.",
  ),
  artifactUpdateIntervalSeconds: integer(
    'STRATO_PROCESS_ARTIFACT_UPDATE_INTERVAL',
    10,
    "A process member's `artifact.update.interval`: seconds between two runs of its artifact update task (Stratos: 10).",
    { min: 1, max: 86_400 },
  ),
  agentLogLevel: choice(
    'STRATO_PROCESS_AGENT_LOG_LEVEL',
    'info',
    AGENT_LOG_LEVELS,
    "A process member's `log.level` (strato's agent: trace, debug, info, warn, error, fatal; its `agent.log` in the member's folder). Stratos's agent takes its levels from its own `logging.ini` instead.",
  ),
};

/** The documented settings of the process IaaS, in README order. */
export const PROCESS_IAAS_SETTINGS: SettingInfo[] = infoOf(Object.values(DECLARED));

/** Reads the process IaaS settings from the environment; a bad value throws an Error naming the variable. */
export function loadProcessIaasSettings(env: NodeJS.ProcessEnv = process.env): ProcessIaasSettings {
  const read = <T>(setting: { read(env: NodeJS.ProcessEnv): T }) => setting.read(env);
  return {
    dir: read(DECLARED.dir),
    agent: read(DECLARED.agent),
    agentByType: read(DECLARED.agentByType),
    ports: read(DECLARED.ports),
    terminateGraceMs: read(DECLARED.terminateGraceMs),
    pollIntervalMs: read(DECLARED.pollIntervalMs),
    portCheckTimeoutMs: read(DECLARED.portCheckTimeoutMs),
    portCheckIntervalMs: read(DECLARED.portCheckIntervalMs),
    thriftReceiverUrls: read(DECLARED.thriftReceiverUrls),
    statsEnabled: read(DECLARED.statsEnabled),
    statsIntervalSeconds: read(DECLARED.statsIntervalSeconds),
    artifactUpdate: read(DECLARED.artifactUpdate),
    artifactUpdateIntervalSeconds: read(DECLARED.artifactUpdateIntervalSeconds),
    agentLogLevel: read(DECLARED.agentLogLevel),
  };
}
