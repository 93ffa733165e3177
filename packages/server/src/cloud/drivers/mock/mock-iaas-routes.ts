/**
 * The mock IaaS API (rest-api.md §10), served under `/mock-iaas/api`. Unlike Stratos's (no
 * authentication), it needs the credentials of a super-tenant administrator (401 without, 403 for
 * anyone else, decided by the REST API's authentication hook from `config.superAdminOnly`), and
 * the server mounts it only while a provider is bound to the mock driver (STRATO_IAAS_PROVIDERS).
 * Errors are Stratos's mock IaaS error body `{"errorCode": <status>, "errorMessage"}` (401 and
 * 403 are the REST API's envelope).
 *
 * | route | answer |
 * |---|---|
 * | GET `/status` | 200 while the driver runs, 503 before it is started |
 * | GET `/instances` | 200, every instance: `{instanceId, defaultPrivateIp, defaultPublicIp, payload}` + strato's extras (memberId, clusterId, phase, ...) |
 * | GET `/instances/:id` | 200 the instance / 404 |
 * | POST `/instances` | starts an instance from a MockInstanceContext (what Stratos's cloud controller called); 200 the instance |
 * | POST `/instances/:id/allocateIpAddress` | 200 the instance (addresses are allocated at start) / 404 |
 * | DELETE `/instances/:id` | kills the instance's agent, the VM "runs" on (no more events nor statistics: the server detects a member fault after STRATO_MEMBER_FAULT_TIMEOUT); 200 always, an unknown id is only logged |
 * | POST `/instances/:id/kill` | the same, explicitly named |
 * | POST `/instances/:id/destroy` | the VM vanishes: the instance is gone at once and the driver's `watch` reports it (the server treats the member as faulty at once); 200 always, an unknown id is only logged |
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MockIaas } from './mock-iaas.ts';

/** The base path of the mock IaaS API. */
export const MOCK_IAAS_API_PREFIX = '/mock-iaas/api';

/** Stratos's MockInstanceContext, the body of POST /instances. */
interface MockInstanceContext {
  applicationId?: string;
  serviceName?: string;
  clusterId?: string;
  memberId?: string;
  clusterInstanceId?: string;
  networkPartitionId?: string;
  partitionId?: string;
  payload?: string;
}

function mockIaasError(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).send({ errorCode: status, errorMessage: message });
}

/**
 * Adds the mock IaaS API routes to `app`, at `/mock-iaas/api/...` (absolute paths: call it on the
 * root instance, or `app.register((a) => mockIaasRoutes(a, mockIaas))` without a prefix).
 */
export function mockIaasRoutes(app: FastifyInstance, mockIaas: MockIaas): void {
  const base = MOCK_IAAS_API_PREFIX;
  // every route: the super tenant's administrators only (it kills members, reads launch payloads)
  const options = { schema: { tags: ['mock-iaas'] }, config: { superAdminOnly: true } };
  const notFound = (reply: FastifyReply, id: string) => mockIaasError(reply, 404, `Mock instance not found: ${id}`);

  app.get(`${base}/status`, options, async (_request, reply) => {
    if (!mockIaas.isRunning) return mockIaasError(reply, 503, 'Mock IaaS is not started');
    return { status: 'success', message: 'Mock IaaS is active' };
  });

  app.get(`${base}/instances`, options, async () => mockIaas.describeInstances());

  // fault injection: {"startInstance": n, "terminateInstance": m} makes the next n starts and m terminations fail
  app.post<{ Body: { startInstance?: unknown; terminateInstance?: unknown } | undefined }>(`${base}/failures`, options, async (request, reply) => {
    const counts: { startInstance?: number; terminateInstance?: number } = {};
    for (const key of ['startInstance', 'terminateInstance'] as const) {
      const raw = request.body?.[key];
      if (raw === undefined) continue;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) return mockIaasError(reply, 400, `${key} must be a whole number of failures`);
      counts[key] = n;
    }
    const now = mockIaas.failNext(counts);
    return { status: 'success', message: `The next ${now.startInstance} instance starts and ${now.terminateInstance} terminations fail` };
  });

  app.get<{ Params: { id: string } }>(`${base}/instances/:id`, options, async (request, reply) => {
    const instance = mockIaas.describeInstance(request.params.id);
    return instance ?? notFound(reply, request.params.id);
  });

  app.post<{ Body: MockInstanceContext | undefined }>(`${base}/instances`, options, async (request, reply) => {
    const body = request.body;
    if (typeof body !== 'object' || body === null || typeof body.memberId !== 'string' || body.memberId === '') {
      return mockIaasError(reply, 400, 'A mock instance context with a memberId is required');
    }
    try {
      await mockIaas.startInstance({
        memberId: body.memberId,
        clusterId: body.clusterId ?? '',
        cartridgeType: body.serviceName ?? '',
        applicationId: body.applicationId ?? '',
        clusterInstanceId: body.clusterInstanceId ?? '',
        networkPartitionId: body.networkPartitionId ?? '',
        provider: mockIaas.name,
        ports: [],
        payload: body.payload ?? '',
        iaas: { properties: {} },
        partition: { id: body.partitionId ?? '', properties: {} },
      });
    } catch (error) {
      request.log.error({ err: error, memberId: body.memberId }, 'Could not start mock instance');
      return mockIaasError(reply, 500, 'Could not start mock instance');
    }
    return mockIaas.describeInstance(body.memberId) ?? mockIaasError(reply, 500, 'Could not start mock instance');
  });

  app.post<{ Params: { id: string } }>(`${base}/instances/:id/allocateIpAddress`, options, async (request, reply) => {
    const instance = mockIaas.describeInstance(request.params.id);
    return instance ?? notFound(reply, request.params.id);
  });

  const kill = async (id: string, log: FastifyInstance['log']) => {
    const known = await mockIaas.kill(id);
    if (known) return { status: 'success', message: `Mock instance killed: ${id}` };
    log.warn({ memberId: id }, 'Mock IaaS asked to kill an unknown instance');
    return { status: 'success', message: `Mock instance not found: ${id}` };
  };
  app.delete<{ Params: { id: string } }>(`${base}/instances/:id`, options, async (request) => kill(request.params.id, request.log));
  app.post<{ Params: { id: string } }>(`${base}/instances/:id/kill`, options, async (request) => kill(request.params.id, request.log));
  app.post<{ Params: { id: string } }>(`${base}/instances/:id/destroy`, options, async (request) => {
    const id = request.params.id;
    if (await mockIaas.destroy(id)) return { status: 'success', message: `Mock instance destroyed: ${id}` };
    request.log.warn({ memberId: id }, 'Mock IaaS asked to destroy an unknown instance');
    return { status: 'success', message: `Mock instance not found: ${id}` };
  });
}
