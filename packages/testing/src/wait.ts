import { createServer } from 'node:net';

export interface WaitOptions {
  /** how long to wait before giving up, ms. @default 20000 */
  timeoutMs?: number;
  /** the pause between two checks, ms. @default 25 */
  everyMs?: number;
  /** words for the failure message (the state seen last); default: the last value checked, as JSON */
  describe?: () => Promise<string> | string;
}

/**
 * Checks until `check()` returns a truthy value, and resolves with it; at the deadline rejects with
 * an Error naming `what` and the last state. For tests with short intervals set through settings:
 * it waits for what is observable, never for a time that hopes.
 */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, options: WaitOptions | number = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 20_000, everyMs = 25, describe } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) {
      const state = describe ? await describe() : `last: ${JSON.stringify(last)?.slice(0, 500)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${state}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A TCP port on `host` that was free a moment ago, for a process that must keep one port across
 * restarts. It is drawn below Linux's ephemeral range (32768-60999), from which every listener on
 * port 0 and every outgoing connection takes its port, so no other test's server can take it
 * between this call and its use (a port-0 pick could, and did).
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, host, () => resolve(true));
    });
    if (bound) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
    if (attempt >= 50) throw new Error(`no free port found on ${host} between 20000 and 32000`);
  }
}
