/**
 * Helpers of the artifact repository tests: a real git repository (bare, with one commit) made in
 * a temporary folder, and an application whose cartridge subscription names it, placed on the
 * agentless mock provider so that a real agent (a test's MQTT client or Stratos's Python agent)
 * drives its member.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reply } from '@strato/testing/server';
import { AGENTLESS } from './broker-agent.ts';
import { sampleText } from '@strato/testing';

type Call = (method: string, path: string, body?: unknown) => Promise<Reply>;

/** A bare repository with one commit (`index.html`); returns its folder (usable as a git URL). */
export function bareRepository(root = mkdtempSync(join(tmpdir(), 'strato-repo-'))): string {
  const work = join(root, 'work');
  const bare = join(root, 'artifacts.git');
  mkdirSync(work);
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      stdio: 'pipe',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
    });
  git(root, 'init', '-q', '--bare', bare);
  git(work, 'init', '-q');
  writeFileSync(join(work, 'index.html'), '<h1>strato artifact</h1>\n');
  git(work, 'add', 'index.html');
  git(work, 'commit', '-q', '-m', 'first artifact');
  git(work, 'push', '-q', bare, 'HEAD:refs/heads/master');
  git(root, '--git-dir', bare, 'symbolic-ref', 'HEAD', 'refs/heads/master');
  return bare;
}

export interface RepoAppOptions {
  appId: string;
  repoUrl?: string;
  repoUsername?: string;
  repoPassword?: string;
  /** cartridge type of the subscription (a cartridge of the single-cartridge-app sample: php) */
  cartridge?: string;
}

/**
 * Registers an application `appId` with one php subscription (alias `my-<appId>`) on the agentless
 * provider's network partition, with the given artifact repository (none without repoUrl). Call
 * after registerSingleCartridgeApp (cartridge and policies).
 */
export async function registerRepoApp(call: Call, o: RepoAppOptions): Promise<void> {
  const app = JSON.parse(sampleText('applications/simple/single-cartridge-app/artifacts/application.json'));
  app.applicationId = o.appId;
  app.alias = o.appId;
  const info = app.components.cartridges[0].subscribableInfo;
  info.alias = `my-${o.appId}`;
  info.deploymentPolicy = 'dp-repo';
  if (o.repoUrl) {
    info.artifactRepository = {
      privateRepo: o.repoPassword !== undefined,
      repoUrl: o.repoUrl,
      repoUsername: o.repoUsername ?? '',
      repoPassword: o.repoPassword ?? '',
    };
  } else {
    delete info.artifactRepository;
  }
  const posts: [string, unknown][] = [
    ['/api/networkPartitions', { id: 'np-repo', provider: AGENTLESS, partitions: [{ id: 'p-repo', property: [{ name: 'region', value: 'default' }] }] }],
    [
      '/api/deploymentPolicies',
      { id: 'dp-repo', networkPartitions: [{ id: 'np-repo', partitionAlgo: 'one-after-another', partitions: [{ id: 'p-repo', partitionMax: 5 }] }] },
    ],
    ['/api/applicationPolicies', { id: 'ap-repo', algorithm: 'one-after-another', networkPartitions: ['np-repo'] }],
    ['/api/applications', app],
  ];
  for (const [path, body] of posts) {
    const r = await call('POST', path, body);
    assert.ok(r.status === 201 || r.status === 409, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}
