/**
 * @strato/testing — what strato's tests share: a fake clock and scheduler, the IaaS driver contract suite (more to come: the test
 * server starter, waitFor, free ports, Mosquitto and sample loaders, now in packages/server/test/kit.ts
 * and packages/messaging/test/support.ts).
 */
export { FakeClock } from './fake-clock.ts';
export { contractRequest, iaasDriverContract, type DriverState, type IaasDriverContractOptions } from './iaas-driver-contract.ts';
