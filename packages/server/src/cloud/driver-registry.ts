/**
 * IaaS drivers by name. A provider of STRATO_IAAS_PROVIDERS is bound to a driver name; the names
 * strato knows are {@link DRIVER_NAMES}, and the registry holds a factory for each name that has
 * an implementation. A provider bound to a known name without one (`kubernetes`
 * today) is accepted by the settings but gets no driver: deploying onto it is refused (400, "bound
 * to no driver"), as before.
 *
 * The names live in `driver-names.ts`, which imports nothing, so that the settings can check
 * bindings against them.
 */
import type { Clock, Scheduler } from '@strato/model';
import type { EventBus } from '@strato/messaging';
import type { Logger } from 'pino';
import type { Settings } from '../settings.ts';
import type { Store } from '../store/store.ts';
import { DRIVER_NAMES } from './driver-names.ts';
import type { IaasDriver } from './iaas-driver.ts';

export { DRIVER_NAMES };

/** What a driver factory is given. */
export interface DriverContext {
  settings: Settings;
  store: Store;
  /** The drivers' own broker connection (the mock IaaS speaks for its simulated agents on it). */
  bus: EventBus;
  logger: Logger;
  /** The brokers the server uses (URLs; the embedded broker's with its real port); unset: from the settings. */
  mbUrls?: string[];
  /** The server's Thrift databridge receivers (`host:port`) for agents' health statistics, when it runs one. */
  thriftReceiverUrls?: string[];
  /** time and timers of the server (a fake clock in tests) */
  clock: Clock;
  scheduler: Scheduler;
}

/** Makes the driver of one name (one driver serves every provider bound to its name). */
export type DriverFactory = (context: DriverContext) => IaasDriver;

/** Driver factories by driver name. */
export class DriverRegistry {
  private readonly factories = new Map<string, DriverFactory>();

  /** Registers the factory of a driver name of {@link DRIVER_NAMES}; a name is registered once. */
  register(name: string, factory: DriverFactory): this {
    if (!DRIVER_NAMES.includes(name)) throw new Error(`Unknown IaaS driver name ${name}: expected one of ${DRIVER_NAMES.join(', ')}`);
    if (this.factories.has(name)) throw new Error(`IaaS driver ${name} is registered already`);
    this.factories.set(name, factory);
    return this;
  }

  /** Whether a driver name has an implementation. */
  has(name: string): boolean {
    return this.factories.has(name);
  }

  /** The names that have an implementation. */
  names(): string[] {
    return [...this.factories.keys()];
  }

  /** Makes the driver of a name; throws for a name without an implementation. */
  create(name: string, context: DriverContext): IaasDriver {
    const factory = this.factories.get(name);
    if (!factory) throw new Error(`IaaS driver ${name} has no implementation yet`);
    const driver = factory(context);
    if (driver.name !== name) throw new Error(`IaaS driver factory ${name} made a driver named ${driver.name}`);
    return driver;
  }

  /**
   * Makes one driver per driver name that a provider is bound to and that has an implementation
   * (plus `always`, e.g. the mock the server always runs), and binds each provider to its driver.
   * Providers bound to a name without an implementation stay unbound.
   */
  build(
    providers: Record<string, string>,
    context: DriverContext,
    always: readonly string[] = [],
  ): { byName: Map<string, IaasDriver>; byProvider: Map<string, IaasDriver> } {
    const byName = new Map<string, IaasDriver>();
    for (const name of [...always, ...Object.values(providers)]) {
      if (!byName.has(name) && this.has(name)) byName.set(name, this.create(name, context));
    }
    const byProvider = new Map<string, IaasDriver>();
    for (const [provider, name] of Object.entries(providers)) {
      const driver = byName.get(name);
      if (driver) byProvider.set(provider, driver);
    }
    return { byName, byProvider };
  }
}
