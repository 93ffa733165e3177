/**
 * @strato/testing — what strato's tests share: a fake clock and scheduler, waitFor and freePort, a
 * PostgreSQL schema per test, a seeded random generator, the IaaS driver contract suite (more to
 * come: the test server starter, the Mosquitto and sample loaders, now in
 * packages/server/test/kit.ts and packages/messaging/test/support.ts).
 */
export { FakeClock } from './fake-clock.ts';
export { freePort, waitFor, type WaitOptions } from './wait.ts';
export { POSTGRES_URL, pgSchema } from './postgres.ts';
export { seededRandom } from './random.ts';
export { contractRequest, iaasDriverContract, type DriverState, type IaasDriverContractOptions } from './iaas-driver-contract.ts';
export {
  agentConf,
  runAgentMember,
  stratosAgent,
  stratosAgentOrSkip,
  stratosAgentSource,
  type AgentMember,
  type AgentMemberOptions,
  type StratosAgent,
} from './stratos-agent.ts';
