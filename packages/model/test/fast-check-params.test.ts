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

test('every fast-check property of the model package takes its parameters from draws()', () => {
  const dir = fileURLToPath(new URL('./', import.meta.url));
  let properties = 0;
  for (const f of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
    const text = readFileSync(`${dir}${f}`, 'utf8');
    const asserts = (text.match(/\bfc\.assert\(/g) ?? []).length;
    // draws(n) as the parameters argument, the last one before fc.assert's closing parenthesis
    const parameterised = (text.match(/\bdraws\(\d+\),?\s*\)/g) ?? []).length;
    properties += asserts;
    assert.equal(parameterised, asserts, `${f}: ${asserts} fc.assert calls, ${parameterised} with draws(n) as their parameters`);
  }
  assert.ok(properties >= 8, `found ${properties} fast-check properties`);
});
