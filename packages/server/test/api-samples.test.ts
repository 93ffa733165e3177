import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { artifactOfCall, isDeploy, isUndeploy, MANIFEST, MULTI_CLOUD_PROVIDERS, samplesMissing, sampleText } from '@strato/testing';
import { startTestServer, type TestServer } from '@strato/testing/server';

/** The fields GET adds to an application that its definition does not have. */
function withoutRuntimeFields(body: Record<string, unknown>) {
  const { status, signUpsExist, ...rest } = body;
  assert.equal(status, 'Created');
  assert.equal(signUpsExist, false);
  return rest;
}

describe('every sample application of the manifest, replayed against the REST API', { skip: samplesMissing }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({}, { STRATO_IAAS_PROVIDERS: MULTI_CLOUD_PROVIDERS });
  });
  after(() => server.stop());

  for (const entry of MANIFEST) {
    it(entry.application, async () => {
      const added: ReturnType<typeof artifactOfCall>[] = [];
      for (const call of entry.deploy) {
        if (isDeploy(call)) break;
        const artifact = artifactOfCall(call);
        const res = await server.call(call.method, call.path, sampleText(call.body!));
        assert.ok(
          res.status === 201 || (res.status === 409 && added.some((a) => a.url === artifact.url)),
          `${call.method} ${call.path} ${call.body}: ${res.status} ${JSON.stringify(res.body)}`,
        );
        if (res.status === 201) {
          assert.equal(res.body.status, 'success');
          assert.equal(res.headers.get('location'), server.url + artifact.url);
          added.push(artifact);
        }
      }
      for (const artifact of added) {
        const res = await server.call('GET', artifact.url);
        assert.equal(res.status, 200, `GET ${artifact.url}: ${JSON.stringify(res.body)}`);
        const got = artifact.kind === 'application' ? withoutRuntimeFields(res.body) : res.body;
        assert.deepEqual(got, artifact.expected, `read back ${artifact.url}`);
      }
      for (const call of entry.undeploy) {
        if (isUndeploy(call)) continue;
        const res = await server.call(call.method, call.path);
        assert.equal(res.status, 200, `${call.method} ${call.path}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.status, 'success');
      }
      for (const artifact of added) {
        const res = await server.call('GET', artifact.url);
        assert.equal(res.status, 404, `${artifact.url} is gone`);
        assert.equal(res.body.status, 'error');
      }
    });
  }
});
