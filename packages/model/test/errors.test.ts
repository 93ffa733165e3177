import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundedMessage, error, MAX_MESSAGE_LENGTH, normalize, validate, emptyCatalog } from '../src/index.ts';

test('a short message is kept as it is', () => {
  assert.equal(boundedMessage('Invalid cartridge php: category " " must not be blank'), 'Invalid cartridge php: category " " must not be blank');
});

test('a long quoted value is abbreviated, saying how long it was', () => {
  const message = error('GROUP_CARTRIDGE_DUPLICATE', { what: 'Invalid cartridge group definition g1: cartridgeGroup', type: 'x'.repeat(200_000) }).message;
  assert.match(message, /^Invalid cartridge group definition g1: cartridgeGroup\.cartridges: duplicate cartridges defined: x{80}\.\.\.\(200000 characters\)$/);
});

test('a message of many long parts is cut at the maximum length', () => {
  const message = boundedMessage(Array.from({ length: 1000 }, (_, i) => `alias-${i}`).join(' -> '));
  assert.equal(message.length, MAX_MESSAGE_LENGTH);
  assert.ok(message.endsWith('...'));
});

test('validation of a group naming a megabyte-long cartridge type answers a bounded message', () => {
  const group = normalize('cartridgeGroup', { name: 'g', cartridges: ['y'.repeat(1_000_000)] });
  assert.throws(
    () => validate('cartridgeGroup', group, emptyCatalog(), 'add'),
    (e: Error) => e.message.length < 400 && /1000000 characters/.test(e.message),
  );
});
