/**
 * @strato/testing — what strato's tests share (product code never imports it): a fake clock and
 * scheduler, waitFor and freePort, a PostgreSQL schema per test, a seeded random generator, the IaaS
 * driver contract suite, Stratos's samples (skipped with a message when absent). Two entry points
 * more, apart so that a test that needs neither does not load a server or an MQTT client:
 * - `@strato/testing/messaging`: Mosquitto processes, TLS files, the in-memory broker, the event
 *   recorder, an in-memory logger;
 * - `@strato/testing/server`: test servers (real, or in-process on an in-memory broker and a fake
 *   clock), REST calls, FAST_ENV.
 */
export { FakeClock } from './fake-clock.ts';
export { freePort, waitFor, type WaitOptions } from './wait.ts';
export { POSTGRES_URL, pgSchema } from './postgres.ts';
export { seededRandom } from './random.ts';
export { contractRequest, iaasDriverContract, type DriverState, type IaasDriverContractOptions } from './iaas-driver-contract.ts';
export {
  artifactOfCall,
  isDeploy,
  isUndeploy,
  kindOfSample,
  loadSample,
  MANIFEST,
  MULTI_CLOUD_PROVIDERS,
  sampleFiles,
  sampleText,
  SAMPLES,
  SHARED,
  samplesMissing,
  type ManifestCall,
  type ManifestEntry,
} from './samples.ts';
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
