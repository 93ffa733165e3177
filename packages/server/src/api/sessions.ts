import { randomBytes } from 'node:crypto';
import type { Principal } from '../tenancy/principal.ts';

/** How sessions live (STRATO_SESSION_*). */
export interface SessionOptions {
  /** How long a session lives without being used, ms (STRATO_SESSION_TIMEOUT). */
  idleMs: number;
  /** How long a session lives at most, used or not, ms (STRATO_SESSION_LIFETIME). */
  lifetimeMs: number;
  /** Sessions one user may hold; a new one ends that user's oldest (STRATO_SESSION_MAX_PER_USER). */
  maxPerUser: number;
  /** Sessions held at once in all; a new one ends the oldest (STRATO_SESSION_MAX). */
  maxTotal: number;
}

export interface Session {
  principal: Principal;
  /** The user's credential stamp when the session began (a password or role change alters it). */
  stamp: string;
  created: number;
  lastUsed: number;
}

const userKey = (tenantId: number, userName: string) => `${tenantId}\0${userName}`;

/**
 * The sessions GET /api/session hands out, in memory: a random 192-bit id per session. A session
 * ends when it is idle for `idleMs`, when it is older than `lifetimeMs`, when its user's
 * credentials change or its user or tenant goes (`endFor`), and when newer sessions push it out of
 * the per-user or total bound (oldest first).
 */
export class Sessions {
  /** by id, oldest first */
  private readonly sessions = new Map<string, Session>();
  /** the ids of each user's sessions, oldest first */
  private readonly byUser = new Map<string, Set<string>>();
  private lastSweep = 0;

  constructor(
    readonly options: SessionOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get idleMs(): number {
    return this.options.idleMs;
  }

  get size(): number {
    return this.sessions.size;
  }

  create(principal: Principal, stamp: string): string {
    const now = this.now();
    this.sweep(now);
    const key = userKey(principal.tenantId, principal.userName);
    const mine = this.byUser.get(key);
    if (mine) for (const id of [...mine].slice(0, Math.max(0, mine.size - this.options.maxPerUser + 1))) this.end(id);
    for (const id of this.sessions.keys()) {
      if (this.sessions.size < this.options.maxTotal) break;
      this.end(id);
    }
    const id = randomBytes(24).toString('hex');
    this.sessions.set(id, { principal, stamp, created: now, lastUsed: now });
    let set = this.byUser.get(key);
    if (!set) this.byUser.set(key, (set = new Set()));
    set.add(id);
    return id;
  }

  end(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    const key = userKey(s.principal.tenantId, s.principal.userName);
    const set = this.byUser.get(key);
    set?.delete(id);
    if (set?.size === 0) this.byUser.delete(key);
  }

  /** Ends every session of one user, or of every user of a tenant when no user is named. */
  endFor(tenantId: number, userName?: string): number {
    const ids =
      userName !== undefined
        ? [...(this.byUser.get(userKey(tenantId, userName)) ?? [])]
        : [...this.sessions].filter(([, s]) => s.principal.tenantId === tenantId).map(([id]) => id);
    for (const id of ids) this.end(id);
    return ids.length;
  }

  /** The live session of an id (its idle clock restarts), or undefined. */
  find(id: string): Session | undefined {
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const now = this.now();
    if (this.expired(s, now)) {
      this.end(id);
      return undefined;
    }
    s.lastUsed = now;
    return s;
  }

  private expired(s: Session, now: number): boolean {
    return now - s.lastUsed > this.options.idleMs || now - s.created > this.options.lifetimeMs;
  }

  /** Drops expired sessions (at most once a second, and whenever the total bound is reached). */
  private sweep(now: number): void {
    if (now - this.lastSweep < 1000 && this.sessions.size < this.options.maxTotal) return;
    this.lastSweep = now;
    for (const [id, s] of this.sessions) if (this.expired(s, now)) this.end(id);
  }
}
