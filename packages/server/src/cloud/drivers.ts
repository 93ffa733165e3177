/** The IaaS drivers strato implements, registered by name (see {@link DriverRegistry}). */
import { join } from 'node:path';
import { DriverRegistry } from './driver-registry.ts';
import { MockIaas } from './drivers/mock/mock-iaas.ts';
import { ProcessIaas } from './drivers/process/process-iaas.ts';
import { TimerScheduler } from '../services/timer-scheduler.ts';

/** A registry with every implemented driver: `mock`, `process` (later `kubernetes`). */
export function defaultDriverRegistry(): DriverRegistry {
  return new DriverRegistry()
    .register(
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
    )
    .register(
      'process',
      ({ settings, logger, mbUrls, thriftReceiverUrls }) =>
        new ProcessIaas({
          ...settings.process,
          dir: settings.process.dir ?? join(settings.dataDir, 'process-iaas'),
          mbUrls: mbUrls ?? (settings.mbUrls.length > 0 ? settings.mbUrls : [`mqtt://127.0.0.1:${settings.mbPort}`]),
          mbPublisherTimeoutSeconds: Math.round(settings.mbPublisherTimeout / 1000),
          ...(thriftReceiverUrls ? { serverThriftReceiverUrls: thriftReceiverUrls } : {}),
          logger,
          // processes live in real time, also under a server on a fake clock
          scheduler: new TimerScheduler(logger),
        }),
    );
}
