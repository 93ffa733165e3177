/**
 * Contexts: where `strato` finds the server and the credentials.
 *
 * `strato login URL` stores a context (server, user, password) in the config file, readable by its
 * owner only (mode 0600, in a folder of mode 0700): `$STRATO_CONFIG`, else
 * `$XDG_CONFIG_HOME/strato/config.json`, else `~/.config/strato/config.json`. Every command then
 * resolves its connection, the first found winning, field by field:
 *   1. the flags `--server`, `--user`, `--password` (and `--context NAME` to pick a stored context);
 *   2. the environment: STRATO_SERVER, STRATO_USER, STRATO_PASSWORD (Stratos's CLI variables
 *      STRATOS_URL, STRATOS_USERNAME, STRATOS_PASSWORD are read too, so its scripts keep working);
 *   3. the current context of the config file.
 * A stored password is used only with the user it was stored for.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './errors.ts';

export interface Context {
  server: string;
  user?: string;
  password?: string;
}

export interface ConfigFile {
  current?: string;
  contexts: Record<string, Context>;
}

/** The config file's path (see the module comment). */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STRATO_CONFIG) return env.STRATO_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'strato', 'config.json');
}

export function readConfig(path: string, warn?: (line: string) => void): ConfigFile {
  if (!existsSync(path)) return { contexts: {} };
  if (warn && process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    warn(`warning: ${path} holds credentials and others may read it: chmod 600 ${path}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const file = parsed as Partial<ConfigFile>;
  if (typeof file !== 'object' || file === null || typeof file.contexts !== 'object' || file.contexts === null) {
    throw new CliError(`${path}: expected {"current": NAME, "contexts": {NAME: {"server", "user", "password"}}}`);
  }
  return { current: file.current, contexts: file.contexts };
}

/** Writes the config file readable by its owner only: created with mode 0600 and renamed into place. */
export function writeConfig(path: string, config: ConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  chmodSync(temp, 0o600); // the umask cannot widen 0600, but an older temp file might exist
  renameSync(temp, path);
}

/** What the flags of a command say about the connection. */
export interface ConnectionFlags {
  server?: string;
  user?: string;
  password?: string;
  context?: string;
}

export interface Connection {
  server: string;
  user?: string;
  password?: string;
  /** where the server came from, for messages */
  source: string;
}

/** The connection a command uses (see the module comment for the order). */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, config: ConfigFile, path: string): Connection {
  const contextName = flags.context ?? config.current;
  const context = contextName ? config.contexts[contextName] : undefined;
  if (flags.context && !context) throw new CliError(`no context named ${flags.context} in ${path} (strato login URL --name ${flags.context})`);
  const envServer = env.STRATO_SERVER || env.STRATOS_URL;
  const server = flags.server ?? envServer ?? context?.server;
  if (!server) {
    throw new CliError('no server: run `strato login URL`, or give --server URL, or set STRATO_SERVER');
  }
  const source = flags.server ? '--server' : envServer ? 'the environment' : `context ${contextName} of ${path}`;
  const user = flags.user ?? (env.STRATO_USER || env.STRATOS_USERNAME) ?? context?.user;
  // a password stored for another user is not this user's
  const contextPassword = context && context.user === user ? context.password : undefined;
  const password = flags.password ?? (env.STRATO_PASSWORD || env.STRATOS_PASSWORD) ?? contextPassword;
  return { server, user, password, source };
}
