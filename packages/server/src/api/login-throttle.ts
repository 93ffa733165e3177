import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { StratoError } from '@strato/model';

/** How failed logins are slowed (STRATO_LOGIN_*). */
export interface LoginThrottleOptions {
  /** Failed logins of one user name within `windowMs` before that name is locked. */
  userFailureLimit: number;
  /** Failed logins from one client address within `windowMs` before that address is locked. */
  ipFailureLimit: number;
  /** How long failures are counted, ms (a window starts with its first failure). */
  windowMs: number;
  /** How long a locked name or address is refused (429), ms; then it starts afresh. */
  lockoutMs: number;
  /** The most names and addresses remembered at once (expired ones go first, then the oldest). */
  maxEntries: number;
}

/** A login refused because of earlier failures: 429 with `Retry-After`. */
export class TooManyLogins extends StratoError<'TOO_MANY_LOGINS'> {
  constructor(readonly retryAfterSeconds: number) {
    super('TOO_MANY_LOGINS', { seconds: retryAfterSeconds });
    this.name = 'TooManyLogins';
  }
}

interface Entry {
  /** failures in the current window */
  failures: number;
  windowStart: number;
  /** refused until then (0: not locked) */
  lockedUntil: number;
  /** verifications running now (each may still fail) */
  pending: number;
}

/**
 * Counts failed logins per user name and per client address. A name or an address that failed
 * `limit` times within the window is refused for `lockoutMs` without its password being checked,
 * then counts afresh: guesses are slowed to `limit` per lockout, and the real owner is locked out
 * at most `lockoutMs` at a time. Verifications still running count as failures-to-be, so parallel
 * guesses cannot overtake the count. Memory is bounded by `maxEntries`.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly options: LoginThrottleOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** The keys of one attempt: its user name (hashed: names can be long) and its client address. */
  private keys(ip: string, userName: string): [string, number][] {
    return [
      ['u:' + createHash('sha256').update(userName).digest('base64'), this.options.userFailureLimit],
      ['a:' + clientKey(ip), this.options.ipFailureLimit],
    ];
  }

  private entry(key: string, now: number): Entry {
    let e = this.entries.get(key);
    if (e && e.pending === 0 && e.lockedUntil <= now && now - e.windowStart > this.options.windowMs) {
      this.entries.delete(key);
      e = undefined;
    }
    if (!e) {
      e = { failures: 0, windowStart: now, lockedUntil: 0, pending: 0 };
      this.entries.set(key, e);
      this.bound(now);
    }
    return e;
  }

  /** Throws TooManyLogins while the name or the address is locked (counts nothing). */
  assertOpen(ip: string, userName: string): void {
    const now = this.now();
    let waitMs = 0;
    for (const [key] of this.keys(ip, userName)) {
      const e = this.entries.get(key);
      if (e && e.lockedUntil > now) waitMs = Math.max(waitMs, e.lockedUntil - now);
    }
    if (waitMs > 0) throw new TooManyLogins(Math.max(1, Math.ceil(waitMs / 1000)));
  }

  /**
   * Called before a password is checked: throws TooManyLogins while the name or the address is
   * locked (or has as many checks running as it may still fail); otherwise counts the check as
   * running and returns a function to call with its outcome (`aborted`: the check itself failed,
   * which counts neither way).
   */
  begin(ip: string, userName: string): (outcome: 'succeeded' | 'failed' | 'aborted') => void {
    const now = this.now();
    const keys = this.keys(ip, userName);
    let waitMs = 0;
    for (const [key, limit] of keys) {
      const e = this.entries.get(key);
      if (!e) continue;
      if (e.lockedUntil > now) waitMs = Math.max(waitMs, e.lockedUntil - now);
      else if (now - e.windowStart <= this.options.windowMs && e.failures + e.pending >= limit) waitMs = Math.max(waitMs, 1000);
    }
    if (waitMs > 0) throw new TooManyLogins(Math.max(1, Math.ceil(waitMs / 1000)));
    const held = keys.map(([key, limit]) => {
      const e = this.entry(key, now);
      if (e.lockedUntil <= now && e.lockedUntil !== 0) {
        // the lockout is over: a fresh start
        e.lockedUntil = 0;
        e.failures = 0;
        e.windowStart = now;
      }
      e.pending++;
      return [key, e, limit] as const;
    });
    let done = false;
    return (outcome) => {
      if (done) return;
      done = true;
      const at = this.now();
      for (const [key, e, limit] of held) {
        e.pending = Math.max(0, e.pending - 1);
        if (outcome === 'aborted') continue;
        if (outcome === 'succeeded') {
          // the owner proved the password: its name starts afresh (the address keeps its count)
          if (key.startsWith('u:')) {
            e.failures = 0;
            e.windowStart = at;
          }
          continue;
        }
        if (at - e.windowStart > this.options.windowMs) {
          e.failures = 0;
          e.windowStart = at;
        }
        e.failures++;
        if (e.failures >= limit) {
          e.lockedUntil = at + this.options.lockoutMs;
          e.failures = 0;
          e.windowStart = e.lockedUntil;
        }
      }
    };
  }

  /** How many names and addresses are remembered. */
  get size(): number {
    return this.entries.size;
  }

  private bound(now: number): void {
    if (this.entries.size <= this.options.maxEntries) return;
    for (const [key, e] of this.entries) {
      if (e.pending === 0 && e.lockedUntil <= now && now - e.windowStart > this.options.windowMs) this.entries.delete(key);
    }
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.options.maxEntries) break;
      if (e.pending === 0) this.entries.delete(key);
    }
  }
}

/** An IPv6 client is counted by its /64 (one host usually owns a whole /64); IPv4 by its address. */
export function clientKey(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1];
  if (!isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return (
    groups
      .slice(0, 4)
      .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
      .join(':') + '::/64'
  );
}
