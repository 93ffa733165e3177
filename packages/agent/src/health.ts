/**
 * Health statistics of the member (cartridge-agent.md §7.1), as Stratos's default reader measures
 * them: `memory_consumption` = used memory of the host in percent ((total − available) / total),
 * `load_average` = 1-minute load average / CPU count × 100. strato adds `ports_not_open` (the
 * number of `PORTS` not accepting connections, sent only when it is not 0), a constant Stratos
 * defined but never sent. Published as `MemberHealthStatEvent` over MQTT (see
 * packages/messaging/src/events/health-events.ts).
 */
import { availableParallelism, freemem, loadavg, totalmem } from 'node:os';

/** Used memory of the host, percent (0–100). */
export function memoryConsumption(): number {
  const total = totalmem();
  return round2(((total - freemem()) / total) * 100);
}

/** 1-minute load average as percent of the CPUs' capacity. */
export function loadAverage(): number {
  return round2((loadavg()[0] / Math.max(1, availableParallelism())) * 100);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
