import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, isSecretName, redactSecrets } from '../src/index.ts';

test('secret names: passwords, secrets, credentials, tokens, keys and identities', () => {
  for (const name of [
    'password',
    'adminPassword',
    'payload_parameter.MB_PASSWORD',
    'passwd',
    'client_secret',
    'credential',
    'token',
    'private-key',
    'apiKey',
    'identity',
  ]) {
    assert.ok(isSecretName(name), name);
  }
  for (const name of ['payload_parameter.MB_USERNAME', 'payload_parameter.MB_URLS', 'hostname', 'imageId', 'region', 'keyPair']) {
    assert.ok(!isSecretName(name), name);
  }
});

test('redactSecrets masks secret fields and the values of secret properties, anywhere, and changes nothing else', () => {
  const cluster = {
    clusterId: 'k1',
    kubernetesMaster: { hostId: 'master', property: [{ name: 'ssh.password', value: 'hunter2' }] },
    kubernetesHosts: [{ hostId: 'h1', property: [{ name: 'region', value: 'eu' }] }],
    property: [
      { name: 'payload_parameter.MB_USERNAME', value: 'system' },
      { name: 'payload_parameter.MB_PASSWORD', value: 'manager' },
    ],
  };
  const cartridge = {
    type: 'php',
    iaasProvider: [{ type: 'ec2', imageId: 'ami-1', identity: 'AKIA…', credential: 's3cr3t', property: [{ name: 'keyPair', value: 'kp' }] }],
  };
  assert.deepEqual(redactSecrets(cluster), {
    clusterId: 'k1',
    kubernetesMaster: { hostId: 'master', property: [{ name: 'ssh.password', value: REDACTED }] },
    kubernetesHosts: [{ hostId: 'h1', property: [{ name: 'region', value: 'eu' }] }],
    property: [
      { name: 'payload_parameter.MB_USERNAME', value: 'system' },
      { name: 'payload_parameter.MB_PASSWORD', value: REDACTED },
    ],
  });
  assert.deepEqual(redactSecrets(cartridge), {
    type: 'php',
    iaasProvider: [{ type: 'ec2', imageId: 'ami-1', identity: REDACTED, credential: REDACTED, property: [{ name: 'keyPair', value: 'kp' }] }],
  });
  assert.equal(cluster.property[1].value, 'manager', 'the original is untouched');
});
