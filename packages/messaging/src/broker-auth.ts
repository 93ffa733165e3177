/**
 * Who may talk on strato's embedded broker, and what each may say.
 *
 * Identities (the MQTT user name of a CONNECT decides which):
 * - **control plane**: one user, random password kept by the server; publishes and subscribes
 *   anything.
 * - **simulator**: the mock IaaS inside the server, speaking for the instances it simulates; may
 *   publish the topics a cartridge agent publishes, for any member, and subscribe what an agent
 *   subscribes.
 * - **operator**: accounts for an operator's own tools, with a role: `read` subscribes to anything
 *   and publishes nothing; `full` publishes and subscribes anything. Only a scrypt hash of their
 *   password is kept.
 * - **member**: user name = member id (`<clusterId><UUID>`), password = HMAC-SHA256 of the member
 *   id under a secret the server keeps ({@link memberPassword}): verified without any lookup, valid
 *   across restarts. A member may publish only the topics a cartridge agent publishes, and only
 *   about itself (the `memberId` and `clusterId` of the payload are its own), and subscribe only
 *   what an agent subscribes (cartridge-agent.md §3.2). Its requests for the complete topology or
 *   tenants pass at most once per {@link REQUEST_INTERVAL_MS} each.
 *
 * Anything else is refused and logged (without credentials). Passwords are compared in constant
 * time (digests of equal length).
 */
import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { topics } from './events.ts';

/** The kinds of broker users. */
export type BrokerRole = 'control-plane' | 'simulator' | 'operator-full' | 'operator-read' | 'member';

/** An authenticated broker user. */
export interface BrokerIdentity {
  role: BrokerRole;
  /** The MQTT user name. */
  name: string;
  /** For a member: its member id (= name) and the cluster id it is part of. */
  memberId?: string;
  clusterId?: string;
}

/** A user name and password. */
export interface BrokerCredentials {
  username: string;
  password: string;
}

/** An operator account: its password is only kept as a {@link hashPassword} hash. */
export interface OperatorAccount {
  username: string;
  role: 'read' | 'full';
  /** `scrypt$N$r$p$<salt base64>$<key base64>` */
  passwordHash: string;
}

/** The topics a cartridge agent publishes on, and what their payload must say about the sender. */
const AGENT_PUBLISH: ReadonlyMap<string, 'member' | 'cluster' | 'none'> = new Map([
  [topics.InstanceStartedEvent, 'member'],
  [topics.InstanceActivatedEvent, 'member'],
  [topics.InstanceMaintenanceModeEvent, 'member'],
  [topics.InstanceReadyToShutdownEvent, 'member'],
  // strato's health statistics (Stratos sent them to CEP over Thrift)
  [topics.MemberHealthStatEvent, 'member'],
  [topics.InFlightRequestCountEvent, 'cluster'],
  // the requests an agent makes at start-up
  [topics.CompleteTopologyRequestEvent, 'none'],
  [topics.CompleteTenantRequestEvent, 'none'],
] as const);

/** The topic filters a cartridge agent subscribes to (cartridge-agent.md §3.2); narrower filters are fine too. */
export const AGENT_SUBSCRIBE: readonly string[] = Object.freeze(['topology/#', 'instance/#', 'tenant/#', 'application/signup/#', 'domain/mapping/#']);

/** The topics a cartridge agent may publish on. */
export const AGENT_PUBLISH_TOPICS: readonly string[] = Object.freeze([...AGENT_PUBLISH.keys()]);

const UUID_SUFFIX = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The cluster id of a member id (`<clusterId><UUID>`), or undefined when it is not of that form. */
export function clusterIdOfMember(memberId: string): string | undefined {
  return memberId.length > 36 && UUID_SUFFIX.test(memberId) ? memberId.slice(0, -36) : undefined;
}

/**
 * The broker password of a member: base64url of HMAC-SHA256(secret, `strato-member:<memberId>`),
 * 43 characters from `[A-Za-z0-9_-]` (safe in a launch payload, which splits on `,` and `=`).
 */
export function memberPassword(secret: Buffer, memberId: string): string {
  return createHmac('sha256', secret).update(`strato-member:${memberId}`).digest('base64url');
}

/** A new random secret or password: 32 random bytes, base64url. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

function scryptAsync(password: string | Buffer, salt: Buffer, N: number, r: number, p: number, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, { N, r, p, maxmem: 256 * N * r }, (err, key) => (err ? reject(err) : resolve(key))));
}

/** A salted scrypt hash of a password: `scrypt$N$r$p$<salt>$<key>` (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keylen);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Whether `hash` has the form {@link hashPassword} produces. */
export function isPasswordHash(hash: string): boolean {
  return parseHash(hash) !== undefined;
}

function parseHash(hash: string): { N: number; r: number; p: number; salt: Buffer; key: Buffer } | undefined {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64');
  const key = Buffer.from(parts[5], 'base64');
  const ok = [N, r, p].every((n) => Number.isInteger(n) && n > 0) && N <= 1 << 20 && r <= 32 && p <= 16;
  if (!ok || salt.length < 8 || key.length < 16 || key.length > 128 || (N & (N - 1)) !== 0) return undefined;
  return { N, r, p, salt, key };
}

/** Checks a password against a {@link hashPassword} hash, in constant time. */
export async function verifyPassword(password: string | Buffer, hash: string): Promise<boolean> {
  const h = parseHash(hash);
  if (h === undefined) return false;
  const key = await scryptAsync(password, h.salt, h.N, h.r, h.p, h.key.length);
  return timingSafeEqual(key, h.key);
}

/** Constant-time equality of two secrets of any lengths (their SHA-256 digests are compared). */
export function secretsEqual(a: string | Buffer, b: string | Buffer): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/**
 * Whether every topic `requested` can match is matched by `allowed` (MQTT 3.1.1 filters, `+` and
 * `#` wildcards): `topology/#` covers `topology/MemberActivatedEvent` and `topology/+`, not `#`.
 */
export function filterCovers(allowed: string, requested: string): boolean {
  const a = allowed.split('/');
  const r = requested.split('/');
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '#') return true;
    if (i >= r.length || r[i] === '#') return false;
    if (a[i] === '+') continue;
    if (r[i] === '+' || a[i] !== r[i]) return false;
  }
  return a.length === r.length;
}

/** What {@link BrokerAuthority} needs. */
export interface BrokerAuthorityOptions {
  /** The control plane's credentials. */
  controlPlane: BrokerCredentials;
  /** The simulator's (mock IaaS) credentials; unset: no simulator user. */
  simulator?: BrokerCredentials;
  /** The secret member passwords are derived from ({@link memberPassword}). */
  memberSecret: Buffer;
  /** Operator accounts. */
  operators?: readonly OperatorAccount[];
  /** Refusals are logged here (child `component: 'mqtt-broker'`). @default silent */
  logger?: Logger;
}

/** scrypt password checks (operators) running at once at most; more are answered CONNACK 3. */
const MAX_SCRYPT_IN_FLIGHT = 4;

/** A member's requests for the complete topology or tenants: at most one per topic in this time. */
export const REQUEST_INTERVAL_MS = 5_000;

/** Why something was refused, or undefined when it is allowed. */
type Verdict = string | undefined;

/** Client id prefixes only the control plane (and the simulator, for `strato-mock-`) may use. */
const RESERVED_CLIENT_IDS: ReadonlyArray<[string, ReadonlySet<BrokerRole>]> = [
  ['strato-cp-', new Set<BrokerRole>(['control-plane'])],
  ['strato-mock-', new Set<BrokerRole>(['control-plane', 'simulator'])],
];

/**
 * Authenticates broker users and authorizes what they publish and subscribe. Pure decisions
 * ({@link authenticate}, {@link mayPublish}, {@link maySubscribe}) plus aedes hooks that apply
 * them and log refusals.
 */
export class BrokerAuthority {
  private readonly controlPlane: BrokerCredentials;
  private readonly simulator: BrokerCredentials | undefined;
  private readonly memberSecret: Buffer;
  private readonly operators = new Map<string, OperatorAccount>();
  /** Per operator: the SHA-256 of the password last verified (scrypt runs once, not per reconnect). */
  private readonly verifiedOperators = new Map<string, Buffer>();
  /** scrypt verifications running: at most {@link MAX_SCRYPT_IN_FLIGHT}, so guessing cannot exhaust the CPU. */
  private scryptInFlight = 0;
  /** Per member and request topic: when its last request was let through (epoch ms). */
  private readonly lastRequest = new Map<string, number>();
  private readonly log: Logger | undefined;

  constructor(options: BrokerAuthorityOptions) {
    this.controlPlane = options.controlPlane;
    this.simulator = options.simulator;
    this.memberSecret = options.memberSecret;
    this.log = options.logger?.child({ component: 'mqtt-broker' });
    if (this.memberSecret.length < 16) throw new Error('The member secret must have at least 16 bytes');
    const reserved = new Set([this.controlPlane.username, this.simulator?.username]);
    if (this.simulator && this.simulator.username === this.controlPlane.username) {
      throw new Error('The simulator and the control plane need different broker user names');
    }
    for (const op of options.operators ?? []) {
      if (reserved.has(op.username) || clusterIdOfMember(op.username) !== undefined) {
        throw new Error(`Broker operator user name ${JSON.stringify(op.username)} is reserved (the control plane's, or a member id)`);
      }
      if (!isPasswordHash(op.passwordHash)) throw new Error(`Broker operator ${JSON.stringify(op.username)} has no valid password hash`);
      this.operators.set(op.username, op);
    }
  }

  /** A member's credentials: user name = member id, password = {@link memberPassword}. */
  memberCredentials(memberId: string): BrokerCredentials {
    return { username: memberId, password: memberPassword(this.memberSecret, memberId) };
  }

  /** Who `username` / `password` are, or undefined when they are wrong (or missing). */
  async authenticate(username: string | undefined, password: string | Buffer | undefined): Promise<BrokerIdentity | undefined> {
    if (!username || password === undefined) return undefined;
    if (username === this.controlPlane.username) {
      return secretsEqual(password, this.controlPlane.password) ? { role: 'control-plane', name: username } : undefined;
    }
    if (this.simulator !== undefined && username === this.simulator.username) {
      return secretsEqual(password, this.simulator.password) ? { role: 'simulator', name: username } : undefined;
    }
    const op = this.operators.get(username);
    if (op !== undefined) {
      const identity: BrokerIdentity = { role: op.role === 'full' ? 'operator-full' : 'operator-read', name: username };
      const digest = createHash('sha256').update(password).digest();
      const known = this.verifiedOperators.get(username);
      if (known !== undefined && timingSafeEqual(known, digest)) return identity;
      if (this.scryptInFlight >= MAX_SCRYPT_IN_FLIGHT) throw new Error('Too many operator password checks at once');
      this.scryptInFlight++;
      try {
        if (!(await verifyPassword(password, op.passwordHash))) return undefined;
      } finally {
        this.scryptInFlight--;
      }
      this.verifiedOperators.set(username, digest);
      return identity;
    }
    const clusterId = clusterIdOfMember(username);
    if (clusterId === undefined) return undefined;
    if (!secretsEqual(password, memberPassword(this.memberSecret, username))) return undefined;
    return { role: 'member', name: username, memberId: username, clusterId };
  }

  /** Whether a client id may be used by an identity (the control plane's ids are reserved). */
  mayUseClientId(identity: BrokerIdentity, clientId: string): Verdict {
    for (const [prefix, roles] of RESERVED_CLIENT_IDS) {
      if (clientId.startsWith(prefix) && !roles.has(identity.role)) return `client id prefix ${prefix} is reserved`;
    }
    return undefined;
  }

  /** Whether an identity may publish `payload` on `topic`; the reason when not. */
  mayPublish(identity: BrokerIdentity, topic: string, payload: Buffer | string): Verdict {
    if (topic.startsWith('$')) return 'topics starting with $ are reserved';
    switch (identity.role) {
      case 'control-plane':
      case 'operator-full':
        return undefined;
      case 'operator-read':
        return 'read-only user';
      case 'simulator':
        return AGENT_PUBLISH.has(topic) ? undefined : 'not a topic a cartridge agent publishes';
      case 'member': {
        const about = AGENT_PUBLISH.get(topic);
        if (about === undefined) return 'not a topic a cartridge agent publishes';
        if (about === 'none') return this.requestAllowed(identity.name, topic, Date.now());
        let body: unknown;
        try {
          body = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
        } catch {
          return 'payload is not JSON';
        }
        if (typeof body !== 'object' || body === null) return 'payload is not a JSON object';
        const fields = body as { memberId?: unknown; clusterId?: unknown };
        if (about === 'member' && fields.memberId !== identity.memberId) return "memberId is not the publisher's own";
        if (fields.clusterId !== identity.clusterId) return "clusterId is not the publisher's own";
        return undefined;
      }
    }
  }

  /**
   * A member may ask for the complete topology (or tenants) once per {@link REQUEST_INTERVAL_MS}:
   * each request makes the control plane publish the whole model, so a member repeating it could
   * keep the control plane busy. An agent asks once, at start-up.
   */
  private requestAllowed(name: string, topic: string, now: number): Verdict {
    const key = `${name}\u0000${topic}`;
    const last = this.lastRequest.get(key);
    if (last !== undefined && now - last < REQUEST_INTERVAL_MS) return `at most one request per ${REQUEST_INTERVAL_MS / 1000} s`;
    if (this.lastRequest.size >= 100_000) {
      for (const [k, at] of this.lastRequest) if (now - at >= REQUEST_INTERVAL_MS) this.lastRequest.delete(k);
    }
    this.lastRequest.set(key, now);
    return undefined;
  }

  /** Whether an identity may subscribe to a topic filter; the reason when not. */
  maySubscribe(identity: BrokerIdentity, filter: string): Verdict {
    switch (identity.role) {
      case 'control-plane':
      case 'operator-full':
      case 'operator-read':
        return undefined;
      case 'simulator':
      case 'member':
        return AGENT_SUBSCRIBE.some((allowed) => filterCovers(allowed, filter)) ? undefined : 'not a topic filter a cartridge agent subscribes';
    }
  }

  /**
   * The aedes hooks applying these rules: `authenticate` (CONNACK 5 without credentials, 4 with
   * wrong ones, 2 for a reserved client id), `authorizePublish` (a refused publish closes the
   * connection, as MQTT 3.1.1 has no negative PUBACK) and `authorizeSubscribe` (a refused filter
   * is answered with SUBACK 0x80).
   */
  aedesHooks(): AedesAuthHooks {
    const identities = new WeakMap<object, BrokerIdentity>();
    const refuse = (returnCode: number, message: string) => Object.assign(new Error(message), { returnCode });
    return {
      authenticate: (client, username, password, done) => {
        if (!username || password === undefined) {
          this.log?.warn({ clientId: client.id, address: addressOf(client) }, 'message broker refused an anonymous client');
          done(refuse(5, 'Not authorized'), false);
          return;
        }
        this.authenticate(username, password).then(
          (identity) => {
            if (identity === undefined) {
              // neither the password nor the user name (people type passwords there): a fingerprint of the name
              this.log?.warn(
                { clientId: client.id, address: addressOf(client), userFingerprint: fingerprint(username) },
                'message broker refused a client: wrong user name or password',
              );
              done(refuse(4, 'Bad user name or password'), false);
              return;
            }
            const clientIdRefusal = this.mayUseClientId(identity, client.id);
            if (clientIdRefusal !== undefined) {
              this.log?.warn({ clientId: client.id, user: identity.name, role: identity.role, reason: clientIdRefusal }, 'message broker refused a client id');
              done(refuse(2, 'Identifier rejected'), false);
              return;
            }
            identities.set(client, identity);
            this.log?.debug({ clientId: client.id, user: identity.name, role: identity.role }, 'message broker client authenticated');
            done(null, true);
          },
          (err: unknown) => {
            this.log?.warn(
              { clientId: client.id, address: addressOf(client), userFingerprint: fingerprint(username), reason: (err as Error).message },
              'message broker could not check credentials: client refused',
            );
            done(refuse(3, 'Server unavailable'), false);
          },
        );
      },
      authorizePublish: (client, packet, done) => {
        const identity = client === null ? undefined : identities.get(client);
        const reason = identity === undefined ? 'unknown publisher' : this.mayPublish(identity, packet.topic, packet.payload);
        if (reason === undefined) {
          done(null);
          return;
        }
        this.log?.warn(
          { clientId: client?.id, user: identity?.name, role: identity?.role, topic: shorten(packet.topic), reason },
          'message broker refused a publish',
        );
        done(new Error(`Publish refused: ${reason}`));
      },
      authorizeSubscribe: (client, subscription, done) => {
        const identity = identities.get(client);
        const reason = identity === undefined ? 'unknown subscriber' : this.maySubscribe(identity, subscription.topic);
        if (reason === undefined) {
          done(null, subscription);
          return;
        }
        this.log?.warn(
          { clientId: client.id, user: identity?.name, role: identity?.role, filter: shorten(subscription.topic), reason },
          'message broker refused a subscription',
        );
        done(null, null);
      },
    };
  }
}

/** The aedes handlers {@link BrokerAuthority.aedesHooks} returns (structural, to keep aedes types out of the API). */
export interface AedesAuthHooks {
  authenticate(
    client: { id: string },
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: (Error & { returnCode: number }) | null, success: boolean | null) => void,
  ): void;
  authorizePublish(client: { id: string } | null, packet: { topic: string; payload: Buffer | string }, done: (error?: Error | null) => void): void;
  authorizeSubscribe<S extends { topic: string }>(client: { id: string }, subscription: S, done: (error: Error | null, subscription?: S | null) => void): void;
}

/** A short fingerprint of a user name that failed to log in (it may be a mistyped password). */
function fingerprint(username: string): string {
  return createHash('sha256').update(username).digest('hex').slice(0, 12);
}

/** The remote address of an aedes client's TCP connection, if any. */
function addressOf(client: object): string | undefined {
  return (client as { conn?: { remoteAddress?: string } }).conn?.remoteAddress;
}

function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : text;
}
