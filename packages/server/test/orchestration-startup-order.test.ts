import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApplicationTree, normalize, parseJson, type ComponentNode } from '@strato/model';
import { isDeploy, isUndeploy, MANIFEST, samplesMissing, sampleText } from '@strato/testing';
import type { EventRecorder, RecordedEvent } from '@strato/testing/messaging';
import { FAST_ENV, startInProcessServer, type InProcessServer } from '@strato/testing/server';

/** The samples whose application or groups have startup orders. */
const WITH_ORDERS = MANIFEST.filter((entry) => entry.deploy.some((c) => c.body && /"startupOrders"\s*:\s*\[\s*\{/.test(sampleText(c.body))));

/** In process: the events of an in-memory broker, and a fake clock that moves while the test waits. */
describe('startup order: children start after what they follow, and together where nothing orders them', { skip: samplesMissing }, () => {
  let server: InProcessServer;
  let recorder: EventRecorder;
  before(async () => {
    server = await startInProcessServer({}, FAST_ENV);
    recorder = server.recorder;
  });
  after(() => server?.stop());

  it('covers at least five samples with startup orders', () => assert.ok(WITH_ORDERS.length >= 5, String(WITH_ORDERS.length)));

  for (const entry of WITH_ORDERS) {
    it(entry.application, async () => {
      recorder.clear();
      let appId = '';
      const groups: unknown[] = [];
      let application: any;
      for (const call of entry.deploy) {
        const body = call.body ? sampleText(call.body) : undefined;
        if (call.path === '/api/cartridgeGroups') groups.push(normalize('cartridgeGroup', parseJson(body!)));
        if (call.path === '/api/applications') application = normalize('application', parseJson(body!));
        const res = await server.call(call.method, call.path, body);
        if (isDeploy(call)) appId = call.path.split('/')[3];
        assert.ok(res.status < 300 || res.status === 409, `${call.path}: ${JSON.stringify(res.body)}`);
      }
      await server.waitFor(`${appId} Active`, async () => (await server.call('GET', `/api/applications/${appId}/runtime`)).body.status === 'Active');
      // the runtime view is read from memory; the events are published after each commit
      await server.waitFor(`${appId} activation on the wire`, () => recorder.first('ApplicationInstanceActivatedEvent', (p) => p.appId === appId));
      const tree = buildApplicationTree(application, groups as never);
      const events = recorder.events.slice();
      const appInstances = events.filter((e) => e.name === 'ApplicationInstanceCreatedEvent' && e.payload.applicationId === appId);
      assert.ok(appInstances.length > 0);
      let edges = 0;
      for (const inst of appInstances) edges += checkLevel(events, tree, inst.payload.applicationInstance.instanceId);
      assert.ok(edges > 0, 'the sample has ordered children');

      await server.call('POST', entry.undeploy.find(isUndeploy)!.path, '');
      await server.waitFor(`${appId} undeployed`, async () => (await server.call('GET', `/api/applications/${appId}`)).body.status === 'Created');
      for (const call of entry.undeploy) if (!isUndeploy(call)) await server.call(call.method, call.path);
    });
  }
});

/** When a child of `node` was created and became Active for parent instance `pid`. */
function moments(events: RecordedEvent[], child: ComponentNode, pid: string) {
  if (child.kind === 'cluster') {
    const created = events.find(
      (e) => e.name === 'ClusterInstanceCreatedEvent' && e.payload.clusterId === child.id && e.payload.clusterInstance.instanceId === pid,
    );
    const active = events.find((e) => e.name === 'ClusterInstanceActivatedEvent' && e.payload.clusterId === child.id && e.payload.instanceId === pid);
    return { created, active, instanceIds: [pid] };
  }
  const createdAll = events.filter(
    (e) => e.name === 'GroupInstanceCreatedEvent' && e.payload.groupId === child.alias && e.payload.groupInstance.parentId === pid,
  );
  const ids = createdAll.map((e) => e.payload.groupInstance.instanceId);
  const active = events.find((e) => e.name === 'GroupInstanceActivatedEvent' && e.payload.groupId === child.alias && ids.includes(e.payload.instanceId));
  return { created: createdAll[0], active, instanceIds: ids };
}

/** Checks every startup edge of one level and its groups below; returns the number of edges checked. */
function checkLevel(events: RecordedEvent[], node: ComponentNode, pid: string): number {
  let edges = 0;
  const tree = node.dependencyTree;
  const byAlias = new Map(node.children.map((c) => [c.alias, c]));
  const m = new Map(node.children.map((c) => [c.alias, moments(events, c, pid)]));
  for (const child of node.children) {
    const mc = m.get(child.alias)!;
    assert.ok(mc.created && mc.active, `${child.alias} of ${node.alias} (${pid}) was created and became Active`);
    const parent = tree.nodes.get(child.alias)?.parent;
    if (parent !== undefined) {
      const mp = m.get(parent)!;
      assert.ok(mc.created!.seq > mp.active!.seq, `${child.alias} is created only after ${parent} is Active (${pid})`);
      edges++;
    }
  }
  // children released by the same event start together: all of them are created before any of them is Active
  const cohorts = new Map<string | undefined, string[]>();
  for (const child of node.children) {
    const parent = tree.nodes.get(child.alias)?.parent;
    cohorts.set(parent, [...(cohorts.get(parent) ?? []), child.alias]);
  }
  for (const [, aliases] of cohorts) {
    if (aliases.length < 2) continue;
    const lastCreated = Math.max(...aliases.map((a) => m.get(a)!.created!.seq));
    const firstActive = Math.min(...aliases.map((a) => m.get(a)!.active!.seq));
    assert.ok(lastCreated < firstActive, `${aliases.join(', ')} of ${node.alias} start together`);
  }
  for (const child of node.children) {
    if (child.kind !== 'group') continue;
    for (const id of m.get(child.alias)!.instanceIds) edges += checkLevel(events, byAlias.get(child.alias)!, id);
  }
  return edges;
}
