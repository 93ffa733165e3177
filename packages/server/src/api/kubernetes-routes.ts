import { error, normalize, schemas } from '@strato/model';
import type { FastifyInstance } from 'fastify';
import { KINDS } from '../registry/artifact-kinds.ts';
import type { Registry } from '../registry/registry.ts';
import { documentOnly, locationOf } from './artifact-routes.ts';
import { success } from './envelope.ts';

type Host = { hostId: string; [k: string]: unknown };
type Cluster = { clusterId: string; kubernetesMaster?: unknown; kubernetesHosts?: Host[]; [k: string]: unknown };
type ById = { Params: { id: string } };

/** The parts of a Kubernetes cluster: its hosts (minions) and its master (rest-api.md #58-#64). */
export function kubernetesRoutes(app: FastifyInstance, registry: Registry): void {
  const info = KINDS.kubernetesCluster;
  const tags = ['kubernetesClusters'];
  const get = (id: string, request: { principal: any }) => registry.get<Cluster>(info, id, request.principal);

  app.get<ById>('/kubernetesClusters/:id/hosts', { schema: { tags } }, async (request) => (await get(request.params.id, request)).kubernetesHosts ?? []);
  app.get<ById>('/kubernetesClusters/:id/master', { schema: { tags } }, async (request) => (await get(request.params.id, request)).kubernetesMaster ?? {});
  app.post<ById>(
    '/kubernetesClusters/:id/minion',
    { schema: { tags, body: schemas.kubernetesHost }, validatorCompiler: documentOnly },
    async (request, reply) => {
      const host = normalize('kubernetesHost', request.body) as Host;
      const cluster = await get(request.params.id, request);
      const hosts = (cluster.kubernetesHosts ?? []).filter((h) => h.hostId !== host.hostId);
      await registry.update(info, { ...cluster, kubernetesHosts: [...hosts, host] }, request.principal);
      reply.header('Location', locationOf(request, host.hostId));
      return reply.code(201).send(success(`Kubernetes host added successfully: [kub-host] ${host.hostId}`));
    },
  );
  app.put<ById>('/kubernetesClusters/:id/master', { schema: { tags, body: schemas.kubernetesMaster }, validatorCompiler: documentOnly }, async (request) => {
    const master = normalize('kubernetesMaster', request.body) as Host;
    const cluster = await get(request.params.id, request);
    await registry.update(info, { ...cluster, kubernetesMaster: master }, request.principal);
    return success(`Kubernetes master updated successfully: [kub-master] ${master.hostId}`);
  });
  app.put('/kubernetesClusters/host', { schema: { tags, body: schemas.kubernetesHost }, validatorCompiler: documentOnly }, async (request) => {
    const host = normalize('kubernetesHost', request.body) as Host;
    const clusters = await registry.list<Cluster>(info, request.principal);
    const owner = clusters.find((c) => (c.kubernetesHosts ?? []).some((h) => h.hostId === host.hostId));
    if (!owner) throw error('KUBERNETES_HOST_NOT_FOUND', { id: host.hostId });
    const hosts = owner.kubernetesHosts!.map((h) => (h.hostId === host.hostId ? host : h));
    await registry.update(info, { ...owner, kubernetesHosts: hosts }, request.principal);
    return success(`Kubernetes host updated successfully: [kub-host] ${host.hostId}`);
  });
  app.delete<{ Params: { id: string; hostId: string } }>('/kubernetesClusters/:id/hosts/:hostId', { schema: { tags } }, async (request) => {
    const cluster = await get(request.params.id, request);
    const hosts = cluster.kubernetesHosts ?? [];
    if (!hosts.some((h) => h.hostId === request.params.hostId)) {
      throw error('KUBERNETES_HOST_NOT_FOUND', { id: request.params.hostId });
    }
    await registry.update(info, { ...cluster, kubernetesHosts: hosts.filter((h) => h.hostId !== request.params.hostId) }, request.principal);
    return success(`Kubernetes Host removed successfully: [kub-host] ${request.params.hostId}`);
  });
}
