/**
 * The broker credential files (mb-credentials.json, mb-users.json) and the broker settings: created
 * private, kept hashed, refused with a message naming the file and the field, never echoing a
 * password.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { verifyPassword } from '@strato/messaging';
import { memoryLogger } from '@strato/testing/messaging';
import { loadBrokerOperators, loadBrokerSecrets } from '../src/broker/broker-credentials.ts';
import { loadSettings } from '../src/settings.ts';

const dir = mkdtempSync(join(tmpdir(), 'strato-mb-credentials-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('mb-credentials.json', () => {
  it('is generated once, mode 0600, and read back the same', () => {
    const { logger } = memoryLogger();
    const file = join(dir, 'sub', 'mb-credentials.json');
    const first = loadBrokerSecrets(file, logger);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(first.controlPlane.username, 'strato-control-plane');
    assert.equal(first.mockIaas.username, 'strato-mock-iaas');
    assert.ok(first.controlPlane.password.length >= 40 && first.memberSecret.length === 32);
    const again = loadBrokerSecrets(file, logger);
    assert.deepEqual(again, first);
  });

  it('a file readable by others is made private again, with a warning', () => {
    const { logger, records } = memoryLogger();
    const file = join(dir, 'open.json');
    loadBrokerSecrets(file, logger);
    chmodSync(file, 0o644);
    loadBrokerSecrets(file, logger);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(records.some((r) => r.level === 40 && /readable by others/.test(String(r.msg))));
  });

  it('an incomplete file stops the server naming the file and the field', () => {
    const { logger } = memoryLogger();
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        controlPlane: { username: 'cp', password: 'long-enough-password' },
        mockIaas: { username: 'mock', password: 'short' },
        memberSecret: 'AAAA',
      }),
      { mode: 0o600 },
    );
    assert.throws(
      () => loadBrokerSecrets(file, logger),
      (e: Error) => e.message.includes(file) && e.message.includes('mockIaas.password'),
    );
    writeFileSync(
      file,
      JSON.stringify({
        controlPlane: { username: 'cp', password: 'long-enough-password' },
        mockIaas: { username: 'mock', password: 'long-enough-password' },
        memberSecret: 'AAAA',
      }),
    );
    assert.throws(() => loadBrokerSecrets(file, logger), /memberSecret must hold at least 16 bytes/);
  });
});

describe('mb-users.json', () => {
  it('plain passwords are replaced by scrypt hashes, the file kept private', async () => {
    const { logger, records } = memoryLogger();
    const file = join(dir, 'mb-users.json');
    writeFileSync(file, JSON.stringify({ users: [{ username: 'grafana', role: 'read', password: 'grafana-secret' }] }));
    const [account] = await loadBrokerOperators(file, logger);
    assert.equal(account.username, 'grafana');
    assert.equal(await verifyPassword('grafana-secret', account.passwordHash), true);
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes('grafana-secret'));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(await loadBrokerOperators(file, logger), [account], 'read back unchanged');
    assert.ok(!JSON.stringify(records).includes('grafana-secret'));
  });

  it('refuses bad entries naming the entry, and a missing file means no operator', async () => {
    const { logger } = memoryLogger();
    assert.deepEqual(await loadBrokerOperators(join(dir, 'none.json'), logger), []);
    const file = join(dir, 'bad-users.json');
    const bad = async (users: unknown, message: RegExp) => {
      writeFileSync(file, JSON.stringify({ users }));
      await assert.rejects(loadBrokerOperators(file, logger), (e: Error) => message.test(e.message) && e.message.includes(file));
    };
    await bad([{ username: 'a', role: 'admin', password: 'long-enough' }], /users\[0\]\.role must be "read" or "full"/);
    await bad([{ username: 'a', role: 'read', password: 'short' }], /users\[0\] needs a password of at least 8 characters/);
    await bad([{ username: 'a', role: 'read', passwordHash: 'md5$x' }], /users\[0\]\.passwordHash is not a scrypt hash/);
    await bad(
      [
        { username: 'a', role: 'read', password: 'long-enough' },
        { username: 'a', role: 'full', password: 'long-enough' },
      ],
      /users\[1\]\.username "a" appears twice/,
    );
  });
});

describe('broker settings', () => {
  it('STRATO_MB_URLS takes credentials and mqtts://; a refused URL is named without its password', () => {
    assert.deepEqual(loadSettings({ STRATO_MB_URLS: 'mqtt://strato:pw@a:1883,mqtts://b:8883' }).mbUrls, ['mqtt://strato:pw@a:1883', 'mqtts://b:8883']);
    assert.throws(
      () => loadSettings({ STRATO_MB_URLS: 'http://strato:hunter2@a:1883' }),
      (e: Error) => /STRATO_MB_URLS/.test(e.message) && e.message.includes('strato:***@a') && !e.message.includes('hunter2'),
    );
    const s = loadSettings({
      STRATO_MB_CREDENTIALS_FILE: '/etc/strato/mb.json',
      STRATO_MB_USERS_FILE: '/etc/strato/users.json',
      STRATO_MB_CA_FILE: '/etc/strato/ca.pem',
      STRATO_MOCK_AGENTLESS_PROVIDERS: 'byo, lab',
    });
    assert.deepEqual(
      [s.mbCredentialsFile, s.mbUsersFile, s.mbCaFile, s.mock.agentlessProviders],
      ['/etc/strato/mb.json', '/etc/strato/users.json', '/etc/strato/ca.pem', ['byo', 'lab']],
    );
  });
});
