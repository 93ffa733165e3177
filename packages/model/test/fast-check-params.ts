/**
 * The fast-check parameters of every property test of the model package: `n` cases unless
 * STRATO_FC_RUNS says otherwise, and the seed of STRATO_FC_SEED when given (fast-check prints the
 * seed of a failing run; setting it replays that run). A value that is not a whole number stops the
 * test with a message naming the variable, rather than running NaN cases.
 */
export interface Draws {
  numRuns: number;
  seed?: number;
}

function wholeNumber(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name}=${JSON.stringify(raw)} is not a whole number from ${min}`);
  return n;
}

export function draws(n: number, env: NodeJS.ProcessEnv = process.env): Draws {
  const runs = env.STRATO_FC_RUNS ? wholeNumber('STRATO_FC_RUNS', env.STRATO_FC_RUNS, 1) : n;
  const seed = env.STRATO_FC_SEED ? wholeNumber('STRATO_FC_SEED', env.STRATO_FC_SEED, -(2 ** 31)) : undefined;
  return seed === undefined ? { numRuns: runs } : { numRuns: runs, seed };
}
