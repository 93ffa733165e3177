import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJson, StratoError } from '../src/index.ts';

function malformed(text: string): StratoError {
  try {
    parseJson(text);
  } catch (e) {
    assert.ok(e instanceof StratoError, 'a StratoError');
    assert.equal(e.statusCode, 400);
    return e;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be rejected`);
}

test('parseJson parses standard JSON', () => {
  assert.deepEqual(parseJson('{"a": [1, 2.5, "x", true, null, {}]}'), { a: [1, 2.5, 'x', true, null, {}] });
  assert.equal(parseJson(' 42 '), 42);
});

test('parseJson tolerates a trailing comma before } and ]', () => {
  assert.deepEqual(parseJson('{"a": 1,}'), { a: 1 });
  assert.deepEqual(parseJson('[1, 2 ,\n\t]'), [1, 2]);
  assert.deepEqual(parseJson('{"a": {"b": [1,],},}'), { a: { b: [1] } });
});

test('parseJson keeps ",}" and ",]" inside strings', () => {
  assert.deepEqual(parseJson('{"a": "x,}", "b": "y,]",}'), { a: 'x,}', b: 'y,]' });
  assert.deepEqual(parseJson('["q\\",]"]'), ['q",]']);
});

test('parseJson rejects a comma alone, a double comma and a leading comma', () => {
  malformed('[,]');
  malformed('[1,,]');
  malformed('{,}');
});

test('parseJson names line and column of the error', () => {
  const e = malformed('{\n  "a": 1\n  "b": 2\n}');
  assert.match(e.message, /^Malformed JSON at line 3, column 3: expected ',' or '}'/);
  assert.match(malformed('{"a":}').message, /line 1, column 6: unexpected character "}"/);
  assert.match(malformed('{"a": tru}').message, /line 1, column 10: .*literal 'true'/);
});

test('parseJson reports the end of input, trailing garbage, bad strings', () => {
  assert.match(malformed('').message, /line 1, column 1: unexpected end of input/);
  assert.match(malformed('{"a": [1, 2').message, /line 1, column 12/);
  assert.match(malformed('[1] x').message, /line 1, column 5: unexpected character "x" after the JSON value/);
  assert.match(malformed('"abc').message, /unterminated string/);
  assert.match(malformed('["a\nb"]').message, /line 1, column 4: control character/);
  assert.match(malformed('["\\x"]').message, /invalid escape/);
  assert.match(malformed('[01]').message, /expected ',' or ']'/);
  assert.match(malformed("{'a': 1}").message, /expected a property name/);
});

test('parseJson line and column count from the original text after a removed comma', () => {
  const e = malformed('{"a": [1,],\n "b" 2}');
  assert.match(e.message, /line 2, column 6: expected ':'/);
});
