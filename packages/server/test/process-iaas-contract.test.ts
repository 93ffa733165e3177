/**
 * The IaaS driver contract (@strato/testing) run against the process driver: each test on a
 * fresh folder, members are real processes (the member server of fixtures/member-server.mjs as the member's process), a restart = a new
 * ProcessIaas on the same folder (it adopts the processes of the first one). The factory's `kill`
 * sends SIGKILL to the member's process, as an operator's `kill -9` would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { iaasDriverContract, waitFor } from '@strato/testing';
import type { ProcessIaas } from '../src/cloud/drivers/process/process-iaas.ts';
import { readRecord } from '../src/cloud/drivers/process/member-files.ts';
import { processDriver, running } from './process-iaas-kit.ts';

iaasDriverContract({
  name: 'process',
  watchTimeoutMs: 5_000,
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'strato-process-contract-'));
    let last: ProcessIaas | undefined;
    return {
      async open() {
        last = processDriver(dir);
        await last.start();
        return last;
      },
      async kill(driver, memberId) {
        const record = readRecord((driver as ProcessIaas).memberDir(memberId));
        if (!record) throw new Error(`no process member ${memberId} to kill`);
        process.kill(record.process.pid, 'SIGKILL');
        // the signal is delivered at once, the process ends a moment later
        await waitFor('the killed process to end', () => !running(record.process.pid), { timeoutMs: 5000, everyMs: 5 });
      },
      async close() {
        // whatever still runs is terminated (SIGTERM to its group), then the folder goes
        const cleaner = processDriver(dir);
        for (const i of await cleaner.listInstances()) await cleaner.terminateInstance(i.memberId);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
