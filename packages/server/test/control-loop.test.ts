import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { ControlLoop } from '../src/reconcile/control-loop.ts';

const silent = pino({ level: 'silent' });

describe('control loop', () => {
  it('runs tasks in order and announces their effects only after the commit', async () => {
    const log: string[] = [];
    const loop = new ControlLoop(
      async () => void log.push('flush'),
      () => undefined,
      silent,
    );
    for (const n of [1, 2, 3]) {
      loop.submit(() => {
        log.push(`task ${n}`);
        loop.onCommit(() => log.push(`effect ${n}`));
      });
    }
    await loop.idle();
    assert.deepEqual(log, ['task 1', 'task 2', 'task 3', 'flush', 'effect 1', 'effect 2', 'effect 3']);
  });

  it('coalesces reconciliation requests for the same application', async () => {
    const reconciled: string[] = [];
    const loop = new ControlLoop(
      async () => undefined,
      (id) => void reconciled.push(id),
      silent,
    );
    loop.requestReconcile('a');
    loop.requestReconcile('b');
    loop.requestReconcile('a');
    await loop.idle();
    assert.deepEqual(reconciled, ['a', 'b']);
  });

  it('drops the effects of a batch it could not persist, and says so to whoever waits', async () => {
    let fail = true;
    const effects: string[] = [];
    const loop = new ControlLoop(
      async () => {
        if (fail) throw new Error('disk full');
      },
      () => undefined,
      silent,
    );
    const outcome = new Promise<string>((resolve) =>
      loop.submit(() =>
        loop.onCommit(
          () => resolve('committed'),
          (e) => resolve(`aborted: ${(e as Error).message}`),
        ),
      ),
    );
    loop.submit(() => loop.onCommit(() => effects.push('event')));
    assert.equal(await outcome, 'aborted: disk full');
    await loop.idle();
    assert.equal(effects.length, 0, 'no effect of the failed batch ran');
    fail = false;
    loop.submit(() => loop.onCommit(() => effects.push('later')));
    await loop.idle();
    assert.deepEqual(effects, ['later']);
  });

  it('keeps going after a failing task', async () => {
    const done: number[] = [];
    const loop = new ControlLoop(
      async () => undefined,
      () => undefined,
      silent,
    );
    loop.submit(() => {
      throw new Error('boom');
    });
    loop.submit(() => void done.push(2));
    await loop.idle();
    assert.deepEqual(done, [2]);
  });

  it('commits at least every 256 tasks', async () => {
    let flushes = 0;
    const loop = new ControlLoop(
      async () => void flushes++,
      () => undefined,
      silent,
    );
    for (let i = 0; i < 600; i++) loop.submit(() => undefined);
    await loop.idle();
    assert.ok(flushes >= 3, String(flushes));
  });
});
