/**
 * The message broker credentials strato keeps (README "Security model"):
 *
 * - `mb-credentials.json` (STRATO_MB_CREDENTIALS_FILE, default in the data dir, mode 0600),
 *   generated at first start: the control plane's user and password, the mock IaaS's user and
 *   password, and the secret every member's broker password is derived from
 *   (HMAC-SHA256(secret, memberId)). The server needs them in clear, to connect and to derive.
 * - `mb-users.json` (STRATO_MB_USERS_FILE, default in the data dir, optional): accounts of the
 *   operator's own tools on the embedded broker, `read` or `full`. Only scrypt hashes are kept: an
 *   entry written with a plain `password` is replaced by its `passwordHash` at the next start.
 *
 * Nothing here is ever logged but user names and file paths.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hashPassword, isPasswordHash, randomSecret, type BrokerCredentials, type OperatorAccount } from '@strato/messaging';
import type { Logger } from 'pino';

/** What `mb-credentials.json` holds. */
export interface BrokerSecrets {
  controlPlane: BrokerCredentials;
  /** The mock IaaS, speaking for the instances it simulates. */
  mockIaas: BrokerCredentials;
  /** The secret member passwords are derived from (at least 16 bytes). */
  memberSecret: Buffer;
}

interface SecretsFile {
  controlPlane: BrokerCredentials;
  mockIaas: BrokerCredentials;
  /** base64url */
  memberSecret: string;
}

function fail(file: string, what: string): never {
  throw new Error(`Message broker credentials file ${file}: ${what}`);
}

function credentialsOf(file: string, body: Record<string, unknown>, key: string): BrokerCredentials {
  const c = body[key] as Partial<BrokerCredentials> | undefined;
  if (typeof c !== 'object' || c === null) fail(file, `${key} is missing`);
  if (typeof c.username !== 'string' || c.username === '') fail(file, `${key}.username must be a non-empty string`);
  if (typeof c.password !== 'string' || c.password.length < 12) fail(file, `${key}.password must be a string of at least 12 characters`);
  return { username: c.username, password: c.password };
}

/** Writes `text` to `file` with mode 0600 (through a temporary file, so a crash leaves the old one). */
function writePrivate(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** Makes a readable-by-others secrets file private again (warning once). */
function keepPrivate(file: string, log: Logger): void {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    log.warn({ file, mode: mode.toString(8) }, 'message broker credentials file was readable by others: its mode is set to 0600');
    chmodSync(file, 0o600);
  }
}

/**
 * Reads `mb-credentials.json`, or creates it (mode 0600) with new random credentials and secret
 * when it does not exist. A file that exists but is incomplete stops the server naming the field.
 */
export function loadBrokerSecrets(file: string, log: Logger): BrokerSecrets {
  if (!existsSync(file)) {
    const fresh: SecretsFile = {
      controlPlane: { username: 'strato-control-plane', password: randomSecret() },
      mockIaas: { username: 'strato-mock-iaas', password: randomSecret() },
      memberSecret: randomSecret(),
    };
    writePrivate(file, JSON.stringify(fresh, null, 2) + '\n');
    log.info({ file }, 'generated the message broker credentials (control plane, mock IaaS, member secret)');
  } else {
    keepPrivate(file, log);
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    fail(file, `not readable JSON (${(e as Error).message.replace(/\s+/g, ' ').slice(0, 120)})`);
  }
  if (typeof body !== 'object' || body === null) fail(file, 'not a JSON object');
  const controlPlane = credentialsOf(file, body, 'controlPlane');
  const mockIaas = credentialsOf(file, body, 'mockIaas');
  if (controlPlane.username === mockIaas.username) fail(file, 'controlPlane and mockIaas need different user names');
  if (typeof body.memberSecret !== 'string') fail(file, 'memberSecret must be a base64url string');
  const memberSecret = Buffer.from(body.memberSecret, 'base64url');
  if (memberSecret.length < 16) fail(file, 'memberSecret must hold at least 16 bytes');
  return { controlPlane, mockIaas, memberSecret };
}

/**
 * Reads the operator accounts of `mb-users.json` (none when the file does not exist):
 * `{"users": [{"username": "grafana", "role": "read", "passwordHash": "scrypt$..."}]}`. An entry
 * with a plain `password` instead is hashed, and the file rewritten (mode 0600) without it.
 */
export async function loadBrokerOperators(file: string, log: Logger): Promise<OperatorAccount[]> {
  if (!existsSync(file)) return [];
  keepPrivate(file, log);
  let body: { users?: unknown };
  try {
    body = JSON.parse(readFileSync(file, 'utf8')) as { users?: unknown };
  } catch (e) {
    throw new Error(`Message broker users file ${file}: not readable JSON (${(e as Error).message.replace(/\s+/g, ' ').slice(0, 120)})`);
  }
  const users = body?.users;
  if (!Array.isArray(users)) throw new Error(`Message broker users file ${file}: "users" must be an array`);
  const seen = new Set<string>();
  const out: OperatorAccount[] = [];
  let rewrite = false;
  for (const [i, u] of users.entries()) {
    const where = `Message broker users file ${file}: users[${i}]`;
    if (typeof u !== 'object' || u === null) throw new Error(`${where} must be an object`);
    const { username, role, password, passwordHash } = u as Record<string, unknown>;
    if (typeof username !== 'string' || username === '') throw new Error(`${where}.username must be a non-empty string`);
    if (seen.has(username)) throw new Error(`${where}.username ${JSON.stringify(username)} appears twice`);
    seen.add(username);
    if (role !== 'read' && role !== 'full') throw new Error(`${where}.role must be "read" or "full"`);
    let hash: string;
    if (typeof passwordHash === 'string') {
      if (!isPasswordHash(passwordHash)) throw new Error(`${where}.passwordHash is not a scrypt hash strato wrote`);
      if (password !== undefined) throw new Error(`${where} has both password and passwordHash`);
      hash = passwordHash;
    } else if (typeof password === 'string' && password.length >= 8) {
      hash = await hashPassword(password);
      rewrite = true;
      log.info({ file, user: username }, 'message broker operator password stored as a hash');
    } else {
      throw new Error(`${where} needs a password of at least 8 characters (or a passwordHash)`);
    }
    out.push({ username, role, passwordHash: hash });
  }
  if (rewrite) writePrivate(file, JSON.stringify({ users: out }, null, 2) + '\n');
  return out;
}
