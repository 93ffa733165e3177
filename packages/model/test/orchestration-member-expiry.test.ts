import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { draws } from './fast-check-params.ts';
import {
  afterPendingExpiry,
  obsoleteMemberExpired,
  pendingExpiryTimeout,
  pendingMemberExpired,
  terminationPendingExpired,
  type PendingExpiryRecord,
} from '../src/orchestration/index.ts';

const MIN = 60_000;
const PENDING = 15 * MIN; // Stratos's pendingMemberExpiryTimeout
const TERMINATION = 30 * MIN; // pendingTerminationMemberExpiryTimeout
const OBSOLETE = 24 * 60 * MIN; // obsoletedMemberExpiryTimeout
const T0 = Date.UTC(2026, 11, 2, 8, 0, 0);

test('a pending member expires one millisecond after 15 minutes from its initTime, not before', () => {
  assert.equal(pendingMemberExpired(T0, T0 + PENDING - 1, PENDING), false);
  assert.equal(pendingMemberExpired(T0, T0 + PENDING, PENDING), false);
  assert.equal(pendingMemberExpired(T0, T0 + PENDING + 1, PENDING), true);
});

test('a termination-pending member expires one millisecond after 30 minutes from the cleanup request', () => {
  assert.equal(terminationPendingExpired(T0, T0 + TERMINATION, TERMINATION), false);
  assert.equal(terminationPendingExpired(T0, T0 + TERMINATION + 1, TERMINATION), true);
});

test('an obsolete member is forgotten one millisecond after 24 hours from becoming obsolete', () => {
  const created = T0 - 5 * 60 * MIN;
  assert.equal(obsoleteMemberExpired(T0, created, T0 + OBSOLETE, OBSOLETE), false);
  assert.equal(obsoleteMemberExpired(T0, created, T0 + OBSOLETE + 1, OBSOLETE), true);
  // without the time it became obsolete, counted from its initTime
  assert.equal(obsoleteMemberExpired(undefined, created, created + OBSOLETE, OBSOLETE), false);
  assert.equal(obsoleteMemberExpired(undefined, created, created + OBSOLETE + 1, OBSOLETE), true);
});

test('the pending timeout of a partition doubles with each expiry after the fifth consecutive one', () => {
  // expiry n → [consecutive, timeout in force afterwards] (written out by hand)
  const expected: [number, number][] = [
    [1, 15 * MIN],
    [2, 15 * MIN],
    [3, 15 * MIN],
    [4, 15 * MIN],
    [5, 15 * MIN],
    [6, 30 * MIN],
    [7, 60 * MIN],
    [8, 120 * MIN],
  ];
  let record: PendingExpiryRecord | undefined;
  for (const [consecutive, timeoutMs] of expected) {
    record = afterPendingExpiry(PENDING, record);
    assert.deepEqual(record, { consecutive, timeoutMs });
  }
  // after the sixth expiry a member of the partition gets 30 minutes: 15 min + 1 ms no longer expires it
  const sixth: PendingExpiryRecord = { consecutive: 6, timeoutMs: 30 * MIN };
  assert.equal(pendingExpiryTimeout(PENDING, sixth), 30 * MIN);
  assert.equal(pendingMemberExpired(T0, T0 + PENDING + 1, PENDING, sixth), false);
  assert.equal(pendingMemberExpired(T0, T0 + 30 * MIN, PENDING, sixth), false);
  assert.equal(pendingMemberExpired(T0, T0 + 30 * MIN + 1, PENDING, sixth), true);
  // a partition without a record (never expired, or reset by an activation) has the base timeout
  assert.equal(pendingExpiryTimeout(PENDING, undefined), PENDING);
});

test('the pending timeout never shrinks and doubles exactly when the count passes five', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 10 ** 7 }), fc.integer({ min: 1, max: 40 }), (base, expiries) => {
      let record: PendingExpiryRecord | undefined;
      for (let n = 1; n <= expiries; n++) {
        const before = pendingExpiryTimeout(base, record);
        record = afterPendingExpiry(base, record);
        assert.equal(record.consecutive, n);
        assert.equal(record.timeoutMs, n > 5 ? before * 2 : before);
      }
      assert.equal(record!.timeoutMs, base * 2 ** Math.max(0, expiries - 5));
    }),
    draws(200),
  );
});
