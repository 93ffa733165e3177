/**
 * The ports of process members: free ports of a range (STRATO_PROCESS_PORTS), handed out in turn
 * from where the last allocation stopped (a port just given back is taken last), each checked
 * free on 127.0.0.1 (no other process listens on it) and not held by another member.
 */
import { createServer } from 'node:net';

/** Whether nothing listens on the port at 127.0.0.1 now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export class PortAllocator {
  private next: number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly range: { from: number; to: number }) {
    this.next = range.from;
  }

  /**
   * `count` free ports, none of `held` (the ports of the other members); one allocation at a
   * time. Throws when the range has too few left.
   */
  allocate(count: number, held: () => ReadonlySet<number>): Promise<number[]> {
    const run = this.queue.then(() => this.take(count, held()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async take(count: number, held: ReadonlySet<number>): Promise<number[]> {
    const out: number[] = [];
    const size = this.range.to - this.range.from + 1;
    for (let tried = 0; tried < size && out.length < count; tried++) {
      const port = this.next;
      this.next = port === this.range.to ? this.range.from : port + 1;
      if (held.has(port)) continue;
      if (await portIsFree(port)) out.push(port);
    }
    if (out.length < count) {
      throw new Error(`no ${count} free port(s) left in STRATO_PROCESS_PORTS ${this.range.from}-${this.range.to} (found ${out.length})`);
    }
    return out;
  }
}
