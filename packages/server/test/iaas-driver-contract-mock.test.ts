/**
 * The IaaS driver contract (@strato/testing) run against the mock driver: each test on a fresh
 * SQLite store, a real embedded MQTT broker, and a restart = a new MockIaas on the same store.
 * The factory's `kill` destroys the instance through the driver (the VM vanished, as
 * `POST /mock-iaas/api/instances/{id}/destroy` does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { MessageBus, startEmbeddedBroker, type EmbeddedBroker } from '@strato/messaging';
import { iaasDriverContract } from '@strato/testing';
import { pino } from 'pino';
import { MockIaas } from '../src/cloud/drivers/mock/mock-iaas.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';

const silent = pino({ level: 'silent' });
let broker: EmbeddedBroker;
let seq = 0;

before(async () => {
  broker = await startEmbeddedBroker({ port: 0 });
});

after(async () => {
  await broker.close();
});

iaasDriverContract({
  name: 'mock',
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'strato-driver-contract-'));
    const store = SqliteStore.open(join(dir, 'strato.db'));
    await store.migrate();
    const buses: MessageBus[] = [];
    return {
      async open() {
        const bus = new MessageBus({ urls: [broker.url], clientId: `strato-mock-iaas-contract-${++seq}`, logger: silent });
        buses.push(bus);
        const driver = new MockIaas({ store, bus, logger: silent, bootDelayMs: 50, healthIntervalMs: 50 });
        await driver.start();
        return driver;
      },
      async kill(driver, memberId) {
        if (!(await (driver as MockIaas).destroy(memberId))) throw new Error(`no mock instance ${memberId} to destroy`);
      },
      async close() {
        for (const bus of buses) await bus.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
