import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { draws } from './fast-check-params.ts';

test('draws: the default count, or STRATO_FC_RUNS and STRATO_FC_SEED when set', () => {
  assert.deepEqual(draws(100, {}), { numRuns: 100 });
  assert.deepEqual(draws(100, { STRATO_FC_RUNS: '3000' }), { numRuns: 3000 });
  assert.deepEqual(draws(100, { STRATO_FC_SEED: '-1288746' }), { numRuns: 100, seed: -1288746 });
  assert.deepEqual(draws(7, { STRATO_FC_RUNS: '1', STRATO_FC_SEED: '42' }), { numRuns: 1, seed: 42 });
  assert.throws(() => draws(100, { STRATO_FC_RUNS: 'many' }), /STRATO_FC_RUNS="many" is not a whole number/);
  assert.throws(() => draws(100, { STRATO_FC_RUNS: '0' }), /STRATO_FC_RUNS="0"/);
  assert.throws(() => draws(100, { STRATO_FC_SEED: '1.5' }), /STRATO_FC_SEED="1.5"/);
});

test('every fast-check property of the workspace takes its parameters from draws()', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  let properties = 0;
  for (const pkg of readdirSync(root)) {
    let files: string[];
    try {
      files = readdirSync(`${root}${pkg}/test`).filter((f) => f.endsWith('.ts'));
    } catch {
      continue;
    }
    for (const f of files) {
      const text = readFileSync(`${root}${pkg}/test/${f}`, 'utf8');
      const asserts = text.split(/fc\.assert\(/).length - 1;
      const parameterised = text.split(/draws\(\d+\)/).length - 1;
      properties += asserts;
      assert.ok(parameterised >= asserts, `${pkg}/test/${f}: ${asserts} fc.assert calls, only ${parameterised} with draws(n)`);
    }
  }
  assert.ok(properties >= 10, `found ${properties} fast-check properties`);
});
