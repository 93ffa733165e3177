/**
 * The contract every IaaS driver of strato keeps (design/layout.md, "The driver seam"), as one
 * suite of node:test tests that any driver runs: the mock now, the process and kubernetes drivers
 * later. Call {@link iaasDriverContract} at the top level of a test file with a factory for the
 * driver under test.
 *
 * What the suite checks, each on a fresh state (data dir, store):
 * 1. start is idempotent by member id: asking twice (one after the other, and twice at once)
 *    answers the same InstanceInfo, and one instance runs;
 * 2. terminate is idempotent: twice, and of a member id never started, without error; the
 *    instance is no longer listed;
 * 3. after a restart (the driver stopped, a new driver on the same state) listInstances answers
 *    what runs: the instances started and not terminated, with the InstanceInfo they had;
 * 4. watch reports an instance that dies without being asked to (the factory's `kill` hook: a VM
 *    that vanished, a process killed), with a reason, and only that one (not one terminated on
 *    request); it is no longer listed; terminating it afterwards is no error; after unsubscribing
 *    nothing more is reported. A driver without `watch` skips this test;
 * 5. start after terminate gives a new instance: listed again, with a new instance id or a new
 *    address.
 *
 * Only types come from @strato/server; the kit holds no server internals.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { IaasDriver, InstanceInfo, InstanceRequest } from '@strato/server';
import { waitFor } from './wait.ts';

/** One state a driver runs on (a data dir, a store), opened by the factory for one test. */
export interface DriverState {
  /**
   * Makes a new driver on this state and starts it: the first one, or, after the previous one was
   * stopped, the restarted one. The suite stops every driver it opened.
   */
  open(): Promise<IaasDriver>;
  /**
   * Ends a member's instance the way the IaaS loses one without being asked (a VM destroyed, a
   * process killed, a pod deleted), so that `watch` reports it.
   */
  kill(driver: IaasDriver, memberId: string): Promise<void>;
  /** Releases the state (removes the data dir, closes the store); called after the test. */
  close(): Promise<void>;
}

export interface IaasDriverContractOptions {
  /** Names the driver in the suite's title, e.g. `mock`. */
  name: string;
  /** A fresh state for one test. */
  fresh(t: TestContext): Promise<DriverState>;
  /**
   * The request of a member (the default: a `php` member of one cluster instance, with a payload
   * as the cloud controller writes it). A driver that needs more (an image, a command) adds it.
   */
  request?(memberId: string): InstanceRequest;
  /** How long a watch report may take. @default 10000 */
  watchTimeoutMs?: number;
}

/** The default request of a member, as the cloud controller builds it. */
export function contractRequest(memberId: string): InstanceRequest {
  const clusterId = 'contract.php1.php.domain';
  const payload = [
    'APPLICATION_ID=contract',
    'SERVICE_NAME=php',
    'CARTRIDGE_ALIAS=php1',
    `CLUSTER_ID=${clusterId}`,
    'CARTRIDGE_KEY=AbCdEfGhIjKlMnOp',
    'PORTS=8080',
    `MEMBER_ID=${memberId}`,
    'CLUSTER_INSTANCE_ID=contract-1',
    'NETWORK_PARTITION_ID=np1',
    'PARTITION_ID=p1',
    'INTERNAL=false',
  ].join(',');
  return {
    memberId,
    clusterId,
    cartridgeType: 'php',
    applicationId: 'contract',
    clusterInstanceId: 'contract-1',
    networkPartitionId: 'np1',
    provider: 'contract',
    ports: [{ name: 'http-8080', protocol: 'http', port: 8080, proxyPort: 0 }],
    payload,
    iaas: { properties: {} },
    partition: { id: 'p1', properties: {} },
  };
}

const byMember = (a: InstanceInfo, b: InstanceInfo) => a.memberId.localeCompare(b.memberId);

/** Registers the contract suite of a driver (a `describe` with one test per clause). */
export function iaasDriverContract(options: IaasDriverContractOptions): void {
  const request = options.request ?? contractRequest;
  const watchTimeoutMs = options.watchTimeoutMs ?? 10_000;

  /** A fresh state, its first driver started, everything stopped and released after the test. */
  async function setUp(t: TestContext) {
    const state = await options.fresh(t);
    const opened: IaasDriver[] = [];
    t.after(async () => {
      for (const d of opened) await d.stop();
      await state.close();
    });
    const open = async () => {
      const d = await state.open();
      opened.push(d);
      return d;
    };
    return { state, driver: await open(), open };
  }

  const listed = async (driver: IaasDriver) => (await driver.listInstances()).map((i) => i.memberId).sort();

  describe(`IaaS driver contract: ${options.name}`, () => {
    test('start is idempotent by member id: the same InstanceInfo twice, one instance', async (t) => {
      const { driver } = await setUp(t);
      const first = await driver.startInstance(request('m1'));
      assert.equal(first.memberId, 'm1');
      assert.ok(first.instanceId, 'an instance id');
      assert.deepEqual(await driver.startInstance(request('m1')), first, 'asking again answers the same instance');
      const [a, b] = await Promise.all([driver.startInstance(request('m2')), driver.startInstance(request('m2'))]);
      assert.deepEqual(a, b, 'two requests at once answer the same instance');
      assert.ok(!(a.instanceId === first.instanceId && a.defaultPrivateIP === first.defaultPrivateIP), 'another member, another instance');
      assert.deepEqual(await listed(driver), ['m1', 'm2'], 'one instance per member');
    });

    test('terminate is idempotent: twice, and of an unknown member id', async (t) => {
      const { driver } = await setUp(t);
      await driver.startInstance(request('m1'));
      await driver.startInstance(request('m2'));
      await driver.terminateInstance('m1');
      await driver.terminateInstance('m1');
      await driver.terminateInstance('never-started');
      assert.deepEqual(await listed(driver), ['m2']);
    });

    test('after a restart listInstances answers what runs, as it was', async (t) => {
      const { driver, open } = await setUp(t);
      const a = await driver.startInstance(request('a'));
      const b = await driver.startInstance(request('b'));
      await driver.startInstance(request('gone'));
      await driver.terminateInstance('gone');
      await driver.stop();
      const restarted = await open();
      assert.deepEqual((await restarted.listInstances()).sort(byMember), [a, b], 'the instances that run, with their ids and addresses');
      assert.deepEqual(await restarted.startInstance(request('a')), a, 'a start after the restart adopts the running instance');
      assert.deepEqual(await listed(restarted), ['a', 'b']);
    });

    test('watch reports an instance that died without being asked to, once, with a reason', async (t) => {
      const { state, driver } = await setUp(t);
      if (!driver.watch) {
        t.skip(`the ${options.name} driver has no watch`);
        return;
      }
      const reports: { memberId: string; reason: string }[] = [];
      const unwatch = driver.watch((memberId, reason) => reports.push({ memberId, reason }));
      await driver.startInstance(request('victim'));
      await driver.startInstance(request('asked'));
      await driver.startInstance(request('bystander'));
      await driver.terminateInstance('asked');
      await state.kill(driver, 'victim');
      await waitFor('the watch report of victim', () => reports.some((r) => r.memberId === 'victim'), {
        timeoutMs: watchTimeoutMs,
        everyMs: 10,
        describe: () => `reports: ${JSON.stringify(reports)}`,
      });
      assert.deepEqual(
        reports.map((r) => r.memberId),
        ['victim'],
        'only the instance that died is reported, once',
      );
      assert.ok(reports[0].reason.length > 0, 'with a reason');
      assert.deepEqual(await listed(driver), ['bystander'], 'the dead instance is no longer listed');
      await driver.terminateInstance('victim'); // the cloud controller terminates it anyway: no error
      unwatch();
      await state.kill(driver, 'bystander');
      assert.deepEqual(await listed(driver), []);
      assert.equal(reports.length, 1, 'nothing is reported after unsubscribing');
    });

    test('start after terminate gives a new instance', async (t) => {
      const { driver } = await setUp(t);
      const first = await driver.startInstance(request('m1'));
      await driver.terminateInstance('m1');
      assert.deepEqual(await listed(driver), []);
      const again = await driver.startInstance(request('m1'));
      assert.equal(again.memberId, 'm1');
      assert.ok(
        again.instanceId !== first.instanceId || again.defaultPrivateIP !== first.defaultPrivateIP,
        `a new instance (first ${first.instanceId} ${first.defaultPrivateIP}, again ${again.instanceId} ${again.defaultPrivateIP})`,
      );
      assert.deepEqual(await listed(driver), ['m1']);
    });
  });
}
