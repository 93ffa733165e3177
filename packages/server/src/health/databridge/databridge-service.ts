/**
 * WSO2 databridge's `ThriftSecureEventTransmissionService` as Stratos's cartridge agent uses it
 * (cartridge-agent.md §7.3, the agent's README "Health statistics"): `connect`, `defineStream`,
 * `publish`, `disconnect`. Events of the stream `cartridge_agent_health_stats:1.0.0` become
 * {@link HealthSample}s; other streams may be defined and published to, and are dropped.
 *
 * Who may connect ({@link DatabridgeAuth}): the databridge account of strato's settings (any member
 * may be reported on), or a member's own broker credentials (user = member id): such a session
 * reports on that member only; a statistic of another member is dropped (and logged).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  ApplicationError,
  MessageType,
  T,
  applicationException,
  listField,
  str,
  stringField,
  struct,
  structField,
  writeMessage,
  type TMessage,
  type TStruct,
  type TValue,
} from './thrift-codec.ts';

/** One health statistic of a member, as the agent sent it. */
export interface HealthSample {
  clusterId: string;
  clusterInstanceId: string;
  networkPartitionId: string;
  memberId: string;
  partitionId: string;
  healthDescription: string;
  value: number;
  /** epoch ms, from the event */
  timestamp: number;
}

/** Checks the credentials of a `connect`; answers who the session speaks for. */
export type DatabridgeAuth = (userName: string, password: string) => { kind: 'account' } | { kind: 'member'; memberId: string } | undefined;

/** The health statistics stream of Stratos's agent. */
export const HEALTH_STREAM_ID = 'cartridge_agent_health_stats:1.0.0';

type AttributeType = 'STRING' | 'DOUBLE' | 'INT' | 'LONG' | 'BOOL' | 'FLOAT';
interface StreamDefinition {
  streamId: string;
  /** meta, correlation, then payload attributes, in that order (the databridge's reading order) */
  attributes: { name: string; type: AttributeType }[];
  text: string;
}

const ATTRIBUTE_TYPES: ReadonlySet<string> = new Set(['STRING', 'DOUBLE', 'INT', 'LONG', 'BOOL', 'FLOAT']);

/** The agent's stream definition, known from the start (a restarted strato still takes its events). */
export const HEALTH_STREAM_DEFINITION =
  '{"name":"cartridge_agent_health_stats","version":"1.0.0","nickName":"agent health stats","description":"agent health stats","payloadData":[{"name":"cluster_id", "type": "STRING"},{"name":"cluster_instance_id", "type": "STRING"},{"name":"network_partition_id", "type": "STRING"},{"name":"member_id", "type": "STRING"},{"name":"partition_id", "type": "STRING"},{"name":"health_description", "type": "STRING"},{"name":"value", "type": "DOUBLE"}]}';

class DefinitionError extends Error {}

/** Parses a stream definition (JSON text); throws DefinitionError naming what is wrong. */
export function parseStreamDefinition(text: string): StreamDefinition {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new DefinitionError('the stream definition is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new DefinitionError('the stream definition is not a JSON object');
  const { name, version } = body;
  if (typeof name !== 'string' || name === '') throw new DefinitionError('the stream definition has no name');
  const v = typeof version === 'string' && version !== '' ? version : '1.0.0';
  const attributes: StreamDefinition['attributes'] = [];
  for (const part of ['metaData', 'correlationData', 'payloadData']) {
    const list = body[part];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new DefinitionError(`${part} is not a list`);
    for (const a of list as Record<string, unknown>[]) {
      if (typeof a?.name !== 'string' || typeof a.type !== 'string' || !ATTRIBUTE_TYPES.has(a.type.toUpperCase())) {
        throw new DefinitionError(`${part} has an attribute without a name or with an unknown type`);
      }
      attributes.push({ name: a.name, type: a.type.toUpperCase() as AttributeType });
    }
  }
  return { streamId: `${name}:${v}`, attributes, text };
}

interface Session {
  principal: { kind: 'account' } | { kind: 'member'; memberId: string };
  lastUsed: number;
}

export interface DatabridgeServiceOptions {
  auth: DatabridgeAuth;
  /** a health statistic arrived (after its session was checked) */
  onSample: (sample: HealthSample) => void;
  log: Logger;
  now?: () => number;
  /** sessions held at once; a new one ends the least recently used. @default 10000 */
  maxSessions?: number;
}

/** What a call's reply body holds: field 0 on success, or the exception's field. */
const exception = (field: number, message: string): TStruct => new Map([[field, struct({ 1: str(message) })]]);

/** The service: one per receiver, shared by all connections (sessions outlive connections, as in WSO2's). */
export class DatabridgeService {
  private readonly sessions = new Map<string, Session>();
  private readonly streams = new Map<string, StreamDefinition>();
  private readonly now: () => number;
  private readonly refusedMembers = new Set<string>();

  constructor(private readonly o: DatabridgeServiceOptions) {
    this.now = o.now ?? Date.now;
    const health = parseStreamDefinition(HEALTH_STREAM_DEFINITION);
    this.streams.set(health.streamId, health);
  }

  /** The number of live sessions (for tests and logs). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Answers one call; undefined for a oneway message. */
  handle(m: TMessage): Buffer | undefined {
    if (m.type !== MessageType.CALL && m.type !== MessageType.ONEWAY) {
      return applicationException(m.name, m.seqid, `unexpected message type ${m.type}`, ApplicationError.INVALID_MESSAGE_TYPE);
    }
    let body: TStruct;
    switch (m.name) {
      case 'connect':
        body = this.connect(m.body);
        break;
      case 'defineStream':
        body = this.defineStream(m.body);
        break;
      case 'publish':
        body = this.publish(m.body);
        break;
      case 'disconnect':
        body = this.disconnect(m.body);
        break;
      default:
        return applicationException(m.name, m.seqid, `Invalid method name: '${m.name}'`, ApplicationError.UNKNOWN_METHOD);
    }
    if (m.type === MessageType.ONEWAY) return undefined;
    return writeMessage({ name: m.name, type: MessageType.REPLY, seqid: m.seqid, body });
  }

  private session(id: string | undefined): Session | undefined {
    const s = id === undefined ? undefined : this.sessions.get(id);
    if (s) {
      s.lastUsed = this.now();
      // most recently used last: eviction takes the first
      this.sessions.delete(id!);
      this.sessions.set(id!, s);
    }
    return s;
  }

  private connect(args: TStruct): TStruct {
    const userName = stringField(args, 1) ?? '';
    const password = stringField(args, 2) ?? '';
    const principal = this.o.auth(userName, password);
    if (!principal) {
      // the user name only: it may be a member id, never the password
      this.o.log.warn({ user: userName.slice(0, 200) }, 'databridge connection refused: wrong user name or password');
      return exception(1, 'Authentication failed for ' + userName);
    }
    const max = this.o.maxSessions ?? 10_000;
    while (this.sessions.size >= max) this.sessions.delete(this.sessions.keys().next().value!);
    const id = randomUUID();
    this.sessions.set(id, { principal, lastUsed: this.now() });
    this.o.log.debug({ user: userName, kind: principal.kind }, 'databridge session opened');
    return new Map([[0, str(id)]]);
  }

  private defineStream(args: TStruct): TStruct {
    if (!this.session(stringField(args, 1))) return exception(4, 'session expired');
    let def: StreamDefinition;
    try {
      def = parseStreamDefinition(stringField(args, 2) ?? '');
    } catch (e) {
      if (e instanceof DefinitionError) return exception(2, e.message);
      throw e;
    }
    const known = this.streams.get(def.streamId);
    if (known && JSON.stringify(known.attributes) !== JSON.stringify(def.attributes)) {
      return exception(1, `Another stream definition with the same name and version exists: ${def.streamId}`);
    }
    if (!known) {
      if (this.streams.size >= 1000) return exception(3, 'too many stream definitions');
      this.streams.set(def.streamId, def);
      this.o.log.info({ streamId: def.streamId }, 'databridge stream defined');
    }
    return new Map([[0, str(def.streamId)]]);
  }

  private publish(args: TStruct): TStruct {
    const bundle = structField(args, 1);
    if (!bundle) return exception(1, 'no event bundle');
    const session = this.session(stringField(bundle, 1));
    if (!session) return exception(2, 'session expired');
    const lists = {
      INT: listField(bundle, 3, T.I32),
      LONG: listField(bundle, 4, T.I64),
      DOUBLE: listField(bundle, 5, T.DOUBLE),
      BOOL: listField(bundle, 6, T.BOOL),
      STRING: listField(bundle, 7, T.STRING),
    };
    if (Object.values(lists).some((l) => l === undefined)) return exception(1, 'an attribute list of the event bundle has the wrong type');
    const cursor = { INT: 0, LONG: 0, DOUBLE: 0, BOOL: 0, STRING: 0, FLOAT: 0 };
    const take = (type: keyof typeof cursor): TValue | undefined => {
      const l = type === 'FLOAT' ? lists.DOUBLE : lists[type];
      const key = type === 'FLOAT' ? 'DOUBLE' : type;
      return l![cursor[key]++];
    };
    const count = (bundle.get(2)?.type === T.I32 ? (bundle.get(2)!.value as number) : 1) || 1;
    const samples: HealthSample[] = [];
    for (let i = 0; i < count; i++) {
      const streamId = take('STRING');
      const timestamp = take('LONG');
      if (streamId?.type !== T.STRING || timestamp?.type !== T.I64) return exception(1, `event ${i + 1} of the bundle has no stream id or timestamp`);
      const def = this.streams.get(streamId.value);
      if (!def) return exception(1, `No event stream definition exists for ${streamId.value}`);
      const values: Record<string, unknown> = {};
      for (const a of def.attributes) {
        const v = take(a.type);
        if (v === undefined) return exception(1, `event ${i + 1} of the bundle lacks its attribute ${a.name}`);
        values[a.name] = typeof v.value === 'bigint' ? Number(v.value) : v.value;
      }
      if (def.streamId === HEALTH_STREAM_ID) {
        samples.push({
          clusterId: String(values.cluster_id),
          clusterInstanceId: String(values.cluster_instance_id),
          networkPartitionId: String(values.network_partition_id),
          memberId: String(values.member_id),
          partitionId: String(values.partition_id),
          healthDescription: String(values.health_description),
          value: Number(values.value),
          timestamp: Number(timestamp.value),
        });
      }
    }
    for (const s of samples) {
      if (session.principal.kind === 'member' && session.principal.memberId !== s.memberId) {
        const key = `${session.principal.memberId}>${s.memberId}`;
        if (!this.refusedMembers.has(key) && this.refusedMembers.size < 10_000) {
          this.refusedMembers.add(key);
          this.o.log.warn(
            { user: session.principal.memberId, memberId: s.memberId },
            "databridge statistic about another member dropped: a member's credentials speak for it alone",
          );
        }
        continue;
      }
      this.o.onSample(s);
    }
    return new Map();
  }

  private disconnect(args: TStruct): TStruct {
    const id = stringField(args, 1);
    if (id !== undefined) this.sessions.delete(id);
    return new Map();
  }
}
