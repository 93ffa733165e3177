/** The IaaS drivers strato implements, registered by name (see {@link DriverRegistry}). */
import { DriverRegistry } from './driver-registry.ts';
import { MockIaas } from './drivers/mock/mock-iaas.ts';

/** A registry with every implemented driver: `mock` (later `process`, `kubernetes`). */
export function defaultDriverRegistry(): DriverRegistry {
  return new DriverRegistry().register(
    'mock',
    ({ settings, store, bus, logger, clock, scheduler }) =>
      new MockIaas({
        store,
        bus,
        logger,
        now: () => clock.now(),
        scheduler,
        bootDelayMs: settings.mock.bootDelayMs,
        healthIntervalMs: settings.mock.healthIntervalMs,
        patterns: settings.mock.patterns,
        agentlessProviders: settings.mock.agentlessProviders,
      }),
  );
}
