/**
 * Health statistic patterns of the mock IaaS: strato's equivalent of Stratos's `mock-iaas.xml`
 * (orchestration.md §6.7), as a JSON file named by STRATO_MOCK_IAAS_CONFIG:
 *
 * ```json
 * { "cartridges": { "php": [
 *   { "factor": "memory-consumption", "mode": "loop", "sampleValues": [20, 60, 90], "sampleDuration": 60 }
 * ] } }
 * ```
 *
 * Semantics, as in Stratos:
 * - a cartridge type with no pattern at all publishes the defaults: memory consumption 20,
 *   load average 20, requests in flight 1;
 * - a type with patterns publishes only the factors that have a pattern;
 * - a pattern's value advances every `sampleDuration` seconds (the first value at once); past the
 *   last value, `loop` starts again from the first, `continue` keeps the last value, and `stop`
 *   removes the factor (it is no longer published, so the control plane sees the member fall
 *   silent for that factor).
 *
 * `sampleDuration` may be fractional (e.g. `0.1`), which short tests use. The sample maths are
 * pure functions of the time elapsed on the cartridge type's pattern clock (see
 * {@link PatternClock}), so they are testable without timers.
 */
import { readFileSync } from 'node:fs';

/** What a pattern drives. */
export type MockFactor = 'memory-consumption' | 'load-average' | 'requests-in-flight';

/** What a pattern does past its last sample value. */
export type MockPatternMode = 'loop' | 'continue' | 'stop';

/** One `<pattern>` of mock-iaas.xml. */
export interface MockPattern {
  factor: MockFactor;
  mode: MockPatternMode;
  /** The values, in order (Stratos: comma-separated integers). Never empty. */
  sampleValues: number[];
  /** Seconds each value lasts; greater than 0, may be fractional. */
  sampleDuration: number;
}

/** The whole pattern file: cartridge type → its patterns (at most one per factor). */
export interface MockPatterns {
  cartridges: Record<string, MockPattern[]>;
}

/** The values one cartridge type publishes at a moment; an absent factor is not published. */
export interface MockFactorValues {
  memoryConsumption?: number;
  loadAverage?: number;
  requestsInFlight?: number;
}

/** Stratos's values for a cartridge type without patterns. */
export const DEFAULT_FACTOR_VALUES: Readonly<Required<MockFactorValues>> = Object.freeze({
  memoryConsumption: 20,
  loadAverage: 20,
  requestsInFlight: 1,
});

/** No patterns: every cartridge type publishes the defaults. */
export const NO_MOCK_PATTERNS: MockPatterns = Object.freeze({ cartridges: Object.freeze({}) }) as MockPatterns;

const FACTORS: readonly MockFactor[] = ['memory-consumption', 'load-average', 'requests-in-flight'];
const MODES: readonly MockPatternMode[] = ['loop', 'continue', 'stop'];

/**
 * The value of one pattern after `elapsedMs` on its clock, or `undefined` when the pattern has
 * ended in `stop` mode. Sample `i` holds during `[i, i+1) × sampleDuration`.
 */
export function patternValue(pattern: MockPattern, elapsedMs: number): number | undefined {
  const values = pattern.sampleValues;
  const index = Math.floor(Math.max(0, elapsedMs) / (pattern.sampleDuration * 1000));
  if (index < values.length) return values[index];
  switch (pattern.mode) {
    case 'loop':
      return values[index % values.length];
    case 'continue':
      return values[values.length - 1];
    case 'stop':
      return undefined;
  }
}

/**
 * The values a cartridge type publishes after `elapsedMs` on its pattern clock: the defaults when
 * the type has no pattern, otherwise only the factors whose pattern still yields a value.
 */
export function factorValues(patterns: readonly MockPattern[] | undefined, elapsedMs: number): MockFactorValues {
  if (patterns === undefined || patterns.length === 0) return { ...DEFAULT_FACTOR_VALUES };
  const out: MockFactorValues = {};
  for (const pattern of patterns) {
    const value = patternValue(pattern, elapsedMs);
    if (value === undefined) continue;
    if (pattern.factor === 'memory-consumption') out.memoryConsumption = value;
    else if (pattern.factor === 'load-average') out.loadAverage = value;
    else out.requestsInFlight = value;
  }
  return out;
}

/**
 * The clock a cartridge type's patterns run on. As in Stratos, the updater tasks of a type run
 * while the type has instances and are not reset when they start again: the clock runs while the
 * type has at least one instance and pauses (keeping its elapsed time) while it has none. It
 * starts from zero when the driver starts.
 */
export class PatternClock {
  private accumulatedMs = 0;
  private runningSince: number | undefined;

  /** Starts or resumes the clock at `now` (no effect when running). */
  resume(now: number): void {
    this.runningSince ??= now;
  }

  /** Pauses the clock at `now`, keeping the time elapsed so far. */
  pause(now: number): void {
    if (this.runningSince === undefined) return;
    this.accumulatedMs += Math.max(0, now - this.runningSince);
    this.runningSince = undefined;
  }

  /** Time elapsed on the clock at `now`, in milliseconds. */
  elapsed(now: number): number {
    return this.accumulatedMs + (this.runningSince === undefined ? 0 : Math.max(0, now - this.runningSince));
  }
}

/**
 * Validates a parsed pattern file. Throws an Error naming `source` (the file path) and the
 * offending field, e.g. `cartridges.php[0].sampleDuration`.
 */
export function parseMockPatterns(json: unknown, source: string): MockPatterns {
  const fail = (field: string, problem: string): never => {
    throw new Error(`Mock IaaS pattern file ${source}: ${field} ${problem}`);
  };
  if (!isObject(json)) return fail('(root)', 'must be an object with a "cartridges" object');
  const cartridges = json.cartridges;
  if (cartridges === undefined) return { cartridges: {} };
  if (!isObject(cartridges)) return fail('cartridges', 'must be an object: cartridge type → list of patterns');
  const out: Record<string, MockPattern[]> = {};
  for (const [type, list] of Object.entries(cartridges)) {
    const at = `cartridges.${type}`;
    if (!Array.isArray(list)) return fail(at, 'must be a list of patterns');
    const seen = new Set<MockFactor>();
    out[type] = list.map((entry: unknown, i): MockPattern => {
      const here = `${at}[${i}]`;
      if (!isObject(entry)) return fail(here, 'must be an object');
      const { factor, mode, sampleValues, sampleDuration } = entry;
      if (typeof factor !== 'string' || !FACTORS.includes(factor as MockFactor)) {
        return fail(`${here}.factor`, `must be one of ${FACTORS.join(', ')} (got ${JSON.stringify(factor)})`);
      }
      if (seen.has(factor as MockFactor)) return fail(`${here}.factor`, `repeats ${factor}: one pattern per factor`);
      seen.add(factor as MockFactor);
      if (typeof mode !== 'string' || !MODES.includes(mode as MockPatternMode)) {
        return fail(`${here}.mode`, `must be one of ${MODES.join(', ')} (got ${JSON.stringify(mode)})`);
      }
      const values = typeof sampleValues === 'string' ? csvValues(sampleValues) : sampleValues;
      if (!Array.isArray(values) || values.length === 0 || !values.every((v) => Number.isInteger(v) && v >= 0)) {
        return fail(`${here}.sampleValues`, 'must be a non-empty list of non-negative integers');
      }
      if (typeof sampleDuration !== 'number' || !Number.isFinite(sampleDuration) || sampleDuration <= 0) {
        return fail(`${here}.sampleDuration`, `must be a number of seconds greater than 0 (got ${JSON.stringify(sampleDuration)})`);
      }
      return { factor: factor as MockFactor, mode: mode as MockPatternMode, sampleValues: values as number[], sampleDuration };
    });
  }
  return { cartridges: out };
}

/**
 * Reads and validates the pattern file at `path` (STRATO_MOCK_IAAS_CONFIG); no path → no patterns.
 * Throws an Error naming the path when the file cannot be read, is not JSON or is invalid.
 */
export function loadMockPatterns(path: string | undefined): MockPatterns {
  if (path === undefined || path === '') return NO_MOCK_PATTERNS;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Mock IaaS pattern file ${path} cannot be read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`Mock IaaS pattern file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseMockPatterns(json, path);
}

/** Stratos wrote sample values as `20,60,90`: accepted as a string too. */
function csvValues(text: string): unknown[] {
  return text.split(',').map((s) => (s.trim() === '' ? Number.NaN : Number(s.trim())));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
