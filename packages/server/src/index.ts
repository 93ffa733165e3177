/**
 * @strato/server — the strato control plane: REST API, store, registry, tenancy, orchestration
 * (reconciling monitors, cloud controller, IaaS drivers), health. `startServer(loadSettings())` runs
 * it; `npm start` does exactly that through packages/server/src/main.ts.
 */
export { startServer, type RunningServer, type ServerServices } from './server.ts';
export { loadSettings, SETTINGS, type Settings } from './settings.ts';
export type { IaasDriver, InstanceInfo, InstanceRequest } from './cloud/iaas-driver.ts';
