/** The port check (cartridge-agent.md §1.2): TCP connects to `listen.address` on each port. */
import { connect } from 'node:net';

/** Whether a TCP connection to host:port is accepted within `timeoutMs`. */
export function portOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(open);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The ports of `ports` that do not accept a connection (the configured list is not changed). */
export async function closedPorts(host: string, ports: readonly number[], timeoutMs = 5_000): Promise<number[]> {
  const open = await Promise.all(ports.map((p) => portOpen(host, p, timeoutMs)));
  return ports.filter((_p, i) => !open[i]);
}
