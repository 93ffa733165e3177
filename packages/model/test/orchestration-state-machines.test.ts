import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { draws } from './fast-check-params.ts';
import { canTransition, isStatusOf, LifeCycle, STATUS_CODES, statusesOf, TRANSITIONS, type LifeCycleEntity } from '../src/orchestration/index.ts';

const ENTITIES: readonly LifeCycleEntity[] = ['member', 'cluster', 'group', 'application'];

test("status names and codes are Stratos's", () => {
  assert.deepEqual(statusesOf('member'), ['Created', 'Initialized', 'Starting', 'Active', 'In_Maintenance', 'ReadyToShutDown', 'Suspended', 'Terminated']);
  assert.deepEqual(statusesOf('cluster'), ['Created', 'Active', 'Patching', 'Inactive', 'Terminating', 'Terminated']);
  assert.deepEqual(statusesOf('group'), ['Created', 'Active', 'Inactive', 'Terminating', 'Terminated']);
  assert.deepEqual(statusesOf('application'), ['Created', 'Active', 'Inactive', 'Terminating', 'Terminated']);
  assert.equal(STATUS_CODES.member.Terminated, 7);
  assert.equal(STATUS_CODES.cluster.Terminated, 5);
  assert.equal(STATUS_CODES.group.Terminated, 4);
});

test('member transitions', () => {
  assert.ok(canTransition('member', 'Created', 'Initialized'));
  assert.ok(canTransition('member', 'Active', 'Starting'));
  assert.ok(canTransition('member', 'Active', 'In_Maintenance'));
  assert.ok(canTransition('member', 'Active', 'Suspended'));
  assert.ok(canTransition('member', 'Suspended', 'Terminated'));
  assert.ok(canTransition('member', 'ReadyToShutDown', 'Terminated'));
  assert.ok(!canTransition('member', 'Created', 'Active'));
  assert.ok(!canTransition('member', 'Active', 'Terminated'));
  assert.ok(!canTransition('member', 'Terminated', 'Created'));
});

test('cluster instance transitions', () => {
  assert.ok(canTransition('cluster', 'Created', 'Active'));
  assert.ok(canTransition('cluster', 'Created', 'Terminating'));
  assert.ok(!canTransition('cluster', 'Created', 'Inactive'));
  assert.ok(canTransition('cluster', 'Active', 'Patching'));
  assert.ok(canTransition('cluster', 'Patching', 'Active'));
  assert.ok(canTransition('cluster', 'Terminating', 'Created'));
  assert.ok(!canTransition('cluster', 'Terminating', 'Active'));
  assert.ok(!canTransition('cluster', 'Terminated', 'Created'));
});

test('group and application instance transitions', () => {
  assert.ok(canTransition('group', 'Terminating', 'Created'));
  assert.ok(!canTransition('application', 'Terminating', 'Created'));
  assert.ok(canTransition('application', 'Active', 'Inactive'));
  assert.ok(canTransition('application', 'Inactive', 'Active'));
  assert.ok(!canTransition('group', 'Created', 'Inactive'));
  assert.ok(!canTransition('application', 'Created', 'Terminated'));
});

test('self-transitions are always allowed; unknown names never', () => {
  for (const e of ENTITIES) for (const s of statusesOf(e)) assert.ok(canTransition(e, s, s));
  assert.ok(!canTransition('cluster', 'Bogus' as never, 'Active'));
  assert.ok(!isStatusOf('group', 'Patching'));
  assert.ok(isStatusOf('cluster', 'Patching'));
});

test('transition tables only name known states', () => {
  for (const e of ENTITIES) {
    const table = TRANSITIONS[e] as Readonly<Record<string, readonly string[]>>;
    assert.deepEqual(Object.keys(table).sort(), [...statusesOf(e)].sort());
    for (const tos of Object.values(table)) for (const t of tos) assert.ok(isStatusOf(e, t));
  }
});

test('LifeCycle: start, transition, current, previous, no-op self-transition', () => {
  const a = LifeCycle.start('cluster', 'app.a.php.domain_app-1');
  assert.equal(a.current, 'Created');
  assert.equal(a.previous, undefined);
  const b = a.transition('Active');
  assert.equal(b.current, 'Active');
  assert.equal(b.previous, 'Created');
  assert.equal(a.current, 'Created', 'the original is unchanged');
  assert.equal(b.transition('Active'), b);
  assert.deepEqual(b.transition('Inactive').transition('Active').stack, ['Created', 'Active', 'Inactive', 'Active']);
  assert.ok(Object.isFrozen(b) && Object.isFrozen(b.stack));
});

test('LifeCycle: an illegal transition throws a clear error', () => {
  const lc = LifeCycle.start('cluster', 'app.a.php.domain_app-1');
  assert.throws(
    () => lc.transition('Inactive'),
    (e: unknown) =>
      e instanceof Error &&
      e.message === 'Illegal cluster instance state transition for app.a.php.domain_app-1: Created -> Inactive (allowed: Active, Terminating)',
  );
  const done = LifeCycle.start('member')
    .transition('Initialized')
    .transition('Starting')
    .transition('Active')
    .transition('In_Maintenance')
    .transition('ReadyToShutDown')
    .transition('Terminated');
  assert.throws(() => done.transition('Created'), /Terminated -> Created \(allowed: none\)/);
});

test('LifeCycle.restore checks every step', () => {
  const lc = LifeCycle.restore('group', ['Created', 'Active', 'Terminating']);
  assert.equal(lc.current, 'Terminating');
  assert.equal(lc.previous, 'Active');
  assert.throws(() => LifeCycle.restore('group', ['Created', 'Patching']), /Unknown group instance state 'Patching'/);
  assert.throws(() => LifeCycle.restore('group', ['Created', 'Terminated']), /Illegal/);
  assert.throws(() => LifeCycle.restore('group', []), /Empty state stack/);
});

test('property: random transition sequences never leave the tables', () => {
  const entity = fc.constantFrom(...ENTITIES);
  fc.assert(
    fc.property(entity, fc.array(fc.nat(20), { maxLength: 40 }), (e, picks) => {
      const all = statusesOf(e);
      let lc: LifeCycle<LifeCycleEntity> = LifeCycle.start(e);
      for (const pick of picks) {
        const to = all[pick % all.length];
        const from = lc.current;
        if (canTransition(e, from, to)) {
          lc = lc.transition(to);
          assert.equal(lc.current, to);
        } else {
          assert.throws(() => lc.transition(to));
          assert.equal(lc.current, from);
        }
      }
      for (let i = 1; i < lc.stack.length; i++) {
        const table = TRANSITIONS[e] as Readonly<Record<string, readonly string[]>>;
        assert.ok(table[lc.stack[i - 1]].includes(lc.stack[i]), `${lc.stack[i - 1]} -> ${lc.stack[i]}`);
      }
    }),
    draws(100),
  );
});
