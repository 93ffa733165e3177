import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The import graph of .dependency-cruiser.cjs (README "Layout"): packages depend one way, the
 * server's lower layers (store, services, tenancy, registry) never reach up, only server.ts uses
 * the REST layer, the server's layers (monitors, cloud, runtime, reconcile) import downward only,
 * and no import cycle exists anywhere, type-only imports included.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEPCRUISE = fileURLToPath(new URL('../../../node_modules/.bin/depcruise', import.meta.url));

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

async function cruise(...args: string[]): Promise<Violation[]> {
  const run = promisify(execFile);
  // depcruise exits non-zero when it finds violations: the JSON report is on stdout either way
  const out = await run(DEPCRUISE, ['--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }).catch(
    (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }),
  );
  return (JSON.parse(out.stdout).summary.violations as Violation[]).map((v) => ({ rule: { name: v.rule.name }, from: v.from, to: v.to }));
}

describe('import graph', () => {
  it('the packages break none of the layout rules', async () => {
    assert.deepEqual(await cruise('packages'), []);
  });

  it('a runtime import cycle is reported', async () => {
    const found = await cruise(
      '--include-only',
      '^packages/server/test/fixtures/import-graph',
      '--exclude',
      '^node_modules',
      'packages/server/test/fixtures/import-graph',
    );
    assert.equal(found.length, 1);
    assert.equal(found[0].rule.name, 'no-circular');
    assert.deepEqual([found[0].from, found[0].to].sort(), [
      'packages/server/test/fixtures/import-graph/cycle-a.ts',
      'packages/server/test/fixtures/import-graph/cycle-b.ts',
    ]);
  });
});
