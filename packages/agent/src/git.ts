/**
 * Artifact checkout and commit with the git binary (cartridge-agent.md §1.5), loaded only when
 * the cartridge has a `REPO_URL`.
 *
 * Differences from Stratos (§8.12): the branch is the repository's own (its HEAD), not a
 * hard-coded `master`; credentials are never written into `.git/config` (the remote `origin`
 * keeps the plain URL; clone, pull and push get the URL with credentials on their command line
 * only, and git's prompts are off); a failed commit-and-push keeps the member's files (soft reset
 * to the commit before) instead of `git reset --hard`, so the next run tries again. Errors never
 * show a password.
 */
import { execFile } from 'node:child_process';
// synchronous fs: quick directory operations, and node:fs/promises stays unloaded (memory)
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A repository to check out: URL, credentials (password already decrypted) and local path. */
export interface Repository {
  url: string;
  username?: string;
  password?: string;
  path: string;
  tenantId: string;
}

/** A git command failed. The message never holds a password. */
export class GitError extends Error {}

/**
 * The URL with credentials (Stratos's rules): `scheme://user:pass@rest`, both URL-encoded; a URL
 * that already names a user gets only the password; one with user and password stays as it is.
 */
export function authUrl(repo: Repository): string {
  const { url, username, password } = repo;
  if (!username && !password) return url;
  const m = /^((?:https?|ssh|git):\/\/)(.*)$/i.exec(url);
  if (!m) return url; // file://, scp-like or a path: credentials do not go into it
  const [, scheme, rest] = m;
  const at = rest.indexOf('@');
  const slash = rest.indexOf('/');
  const userInfo = at >= 0 && (slash < 0 || at < slash) ? rest.slice(0, at) : undefined;
  if (userInfo?.includes(':')) return url;
  const enc = encodeURIComponent;
  if (userInfo !== undefined) return `${scheme}${userInfo}${password ? `:${enc(password)}` : ''}${rest.slice(at)}`;
  return `${scheme}${enc(username ?? '')}${password ? `:${enc(password)}` : ''}@${rest}`;
}

function hide(text: string, repo: Repository): string {
  let out = text;
  for (const secret of [repo.password, repo.password && encodeURIComponent(repo.password)]) {
    if (secret) out = out.split(secret).join('***');
  }
  return out.replace(/(:\/\/[^:/@\s]*):[^@/\s]*@/g, '$1:***@');
}

function git(repo: Repository, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', LC_ALL: 'C' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new GitError(hide(`git ${args[0]} failed: ${(stderr || error.message).trim()}`, repo)));
        else resolve(stdout);
      },
    );
  });
}

function isEmptyDir(path: string): boolean {
  try {
    return readdirSync(path).length === 0;
  } catch {
    return true;
  }
}

/** Whether `path` is the top of a git working tree with at least one commit. */
export async function isRepository(repo: Repository): Promise<boolean> {
  try {
    if (!statSync(join(repo.path, '.git')).isDirectory()) return false;
    await git(repo, ['rev-parse', '--verify', 'HEAD'], repo.path);
    return true;
  } catch {
    return false;
  }
}

/**
 * First checkout: clones into the local path (when it has files already, into a temporary
 * directory first, then copied over it, keeping unrelated files: Stratos's merge).
 */
export async function clone(repo: Repository): Promise<void> {
  mkdirSync(repo.path, { recursive: true });
  if (isEmptyDir(repo.path)) {
    await git(repo, ['clone', '--quiet', '--', authUrl(repo), repo.path], repo.path);
  } else {
    const tmp = mkdtempSync(join(tmpdir(), `strato-agent-clone-${repo.tenantId}-`));
    try {
      await git(repo, ['clone', '--quiet', '--', authUrl(repo), tmp], tmp);
      cpSync(tmp, repo.path, { recursive: true, force: true });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  await git(repo, ['remote', 'set-url', 'origin', repo.url], repo.path);
}

/** Points `origin` at the repository's (plain) URL, when an event names another one. */
export async function setOrigin(repo: Repository): Promise<void> {
  const current = (await git(repo, ['remote', 'get-url', 'origin'], repo.path).catch(() => '')).trim();
  if (current !== repo.url) await git(repo, ['remote', current === '' ? 'add' : 'set-url', 'origin', repo.url], repo.path);
}

async function branch(repo: Repository): Promise<string> {
  return (await git(repo, ['rev-parse', '--abbrev-ref', 'HEAD'], repo.path)).trim();
}

async function head(repo: Repository): Promise<string> {
  return (await git(repo, ['rev-parse', 'HEAD'], repo.path)).trim();
}

async function dirty(repo: Repository): Promise<boolean> {
  return (await git(repo, ['status', '--porcelain'], repo.path)).trim() !== '';
}

/**
 * Pulls (rebase) from the remote. A modified working tree is left alone when commits are enabled
 * (the commit step takes it); otherwise its staged changes are unstaged first, as Stratos does.
 * Returns whether HEAD moved.
 */
export async function pull(repo: Repository, commitEnabled: boolean): Promise<boolean> {
  if (await dirty(repo)) {
    if (commitEnabled) return false;
    await git(repo, ['reset', '--quiet'], repo.path);
  }
  const before = await head(repo);
  await git(repo, ['pull', '--quiet', '--rebase', '--autostash', authUrl(repo), await branch(repo)], repo.path);
  return (await head(repo)) !== before;
}

/**
 * Commits every local change and pushes it (after a rebase on the remote). Returns false when
 * there was nothing to commit. On failure the commit is undone softly (the files stay) and the
 * error thrown.
 */
export async function commitAndPush(repo: Repository): Promise<boolean> {
  const initial = await head(repo);
  await git(repo, ['add', '--all'], repo.path);
  if (!(await dirty(repo))) return false;
  const b = await branch(repo);
  try {
    await git(
      repo,
      [
        '-c',
        'user.email=author@example.org',
        '-c',
        `user.name=${repo.tenantId}`,
        'commit',
        '--quiet',
        '-m',
        `tenant [${repo.tenantId}]'s artifacts committed to local repo at ${repo.path}`,
      ],
      repo.path,
    );
    await git(repo, ['pull', '--quiet', '--rebase', authUrl(repo), b], repo.path);
    await git(repo, ['push', '--quiet', authUrl(repo), `HEAD:${b}`], repo.path);
    return true;
  } catch (e) {
    await git(repo, ['reset', '--soft', initial], repo.path).catch(() => undefined);
    throw e;
  }
}
