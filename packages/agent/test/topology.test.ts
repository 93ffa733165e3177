/**
 * The agent's view of a complete topology (topology.ts): lenient about missing fields (§8.5), its
 * own member's status and properties, LB_IP's member, the Initialized members of the parity rule —
 * and nothing more kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memberKey, memberMapOf, viewTopology } from '../src/topology.ts';

const member = (id: string, stack: string[], extra: object = {}) => ({ memberId: id, memberStateManager: { stateStack: stack }, ...extra });

const TOPOLOGY = {
  topology: {
    serviceMap: {
      php: {
        properties: { properties: { s1: 'sv' } },
        clusterIdClusterMap: {
          'php.domain': {
            properties: { c1: 'cv' },
            memberMap: {
              me: member('me', ['Created', 'Initialized', 'Starting'], { properties: { m1: 'mv' } }),
              other: member('other', ['Created', 'Initialized']),
            },
          },
        },
      },
      lb: {
        clusterIdClusterMap: { 'lb.domain': { memberMap: { lb1: member('lb1', ['Active'], { defaultPrivateIP: '10.0.0.9', defaultPublicIP: '20.0.0.9' }) } } },
      },
      broken: { clusterIdClusterMap: { x: null } },
    },
  },
};

describe('topology view', () => {
  it('own status and properties (both Properties spellings), LB_IP of the LB cluster, Initialized members', () => {
    const v = viewTopology(TOPOLOGY, 'php', 'php.domain', 'me', 'lb.domain');
    assert.equal(v.status, 'Starting');
    assert.deepEqual([v.serviceProperties, v.clusterProperties, v.memberProperties], [{ s1: 'sv' }, { c1: 'cv' }, { m1: 'mv' }]);
    assert.deepEqual(v.lb, { privateIp: '10.0.0.9', publicIp: '20.0.0.9' });
    assert.deepEqual([...v.initialized], [memberKey('php', 'php.domain', 'other')]);
    assert.deepEqual(Object.keys(memberMapOf(TOPOLOGY, 'php', 'php.domain')), ['me', 'other']);
  });

  it('lenient: no topology, no service, no state stack, an `initialized` flag or not', () => {
    for (const payload of [undefined, {}, { topology: null }, { topology: { initialized: false } }, { topology: { serviceMap: { php: {} } } }]) {
      const v = viewTopology(payload, 'php', 'php.domain', 'me');
      assert.equal(v.status, undefined);
      assert.equal(v.lb, undefined);
    }
    const noStack = { topology: { serviceMap: { php: { clusterIdClusterMap: { 'php.domain': { memberMap: { me: { status: 'Active' } } } } } } } };
    assert.equal(viewTopology(noStack, 'php', 'php.domain', 'me').status, 'Active');
  });
});
