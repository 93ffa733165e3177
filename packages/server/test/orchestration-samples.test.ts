import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeploy, isUndeploy, MANIFEST, MULTI_CLOUD_PROVIDERS, samplesMissing, sampleText } from '@strato/testing';
import { FAST_ENV, startInProcessServer, type InProcessServer } from '@strato/testing/server';

/** Every cluster instance of a runtime view, at any depth. */
export function clusterInstancesOf(runtime: any): any[] {
  const out: any[] = [];
  const level = (l: any) => {
    for (const c of l.clusterInstances ?? []) out.push(c);
    for (const g of l.groupInstances ?? []) level(g);
  };
  for (const i of runtime.applicationInstances ?? []) level(i);
  return out;
}

/** In process: an in-memory broker and a fake clock that moves while the test waits. */
describe('every sample application deploys to Active on the mock IaaS and undeploys cleanly', { skip: samplesMissing }, () => {
  let server: InProcessServer;
  before(async () => {
    server = await startInProcessServer({}, { ...FAST_ENV, STRATO_IAAS_PROVIDERS: MULTI_CLOUD_PROVIDERS });
  });
  after(() => server?.stop());

  for (const entry of MANIFEST) {
    it(entry.application, async () => {
      let appId = '';
      for (const call of entry.deploy) {
        const res = await server.call(call.method, call.path, call.body ? sampleText(call.body) : undefined);
        if (isDeploy(call)) {
          assert.equal(res.status, 202, `${call.path}: ${JSON.stringify(res.body)}`);
          appId = call.path.split('/')[3];
        } else {
          assert.ok(res.status === 201 || res.status === 409, `${call.method} ${call.path}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
      const app = (await server.call('GET', `/api/applications/${appId}`)).body;
      const runtime = await server.waitFor(`${appId} Active`, async () => {
        const r = await server.call('GET', `/api/applications/${appId}/runtime`);
        return r.status === 200 && r.body.status === 'Active' ? r.body : undefined;
      });
      const clusters = clusterInstancesOf(runtime);
      assert.ok(clusters.length > 0);
      const minOf = new Map<string, number>();
      const collect = (level: any) => {
        for (const c of level?.cartridges ?? []) minOf.set(c.subscribableInfo.alias, c.cartridgeMin ?? 1);
        for (const g of level?.groups ?? []) collect(g);
      };
      collect(app.components);
      for (const ci of clusters) {
        assert.equal(ci.status, 'Active', `${ci.clusterId} ${ci.instanceId}`);
        const active = (ci.member ?? []).filter((m: any) => m.status === 'Active');
        assert.ok(active.length >= (minOf.get(ci.alias) ?? 1), `${ci.clusterId}: ${active.length} active members`);
      }
      assert.equal((await server.call('GET', `/api/applications/${appId}`)).body.status, 'Active');

      const undeploy = entry.undeploy.find(isUndeploy)!;
      assert.equal((await server.call('POST', undeploy.path, '', undefined)).status, 202);
      await server.waitFor(`${appId} back in Created`, async () => (await server.call('GET', `/api/applications/${appId}`)).body.status === 'Created');
      assert.equal((await server.call('GET', `/api/applications/${appId}/runtime`)).status, 404);
      assert.equal(server.controlPlane.state.members.size, 0, 'no member left');
      assert.deepEqual(await server.mockIaas.listInstances(), [], 'no mock instance left');

      for (const call of entry.undeploy) {
        if (isUndeploy(call)) continue;
        const res = await server.call(call.method, call.path);
        assert.equal(res.status, 200, `${call.method} ${call.path}: ${JSON.stringify(res.body)}`);
      }
    });
  }
});
