/**
 * Time, passed in. Decisions in this package take `now` as an argument; components with a life of
 * their own (monitors, detectors, publishers) take a Clock and a Scheduler, so that a test can run
 * a 24-hour expiry in a millisecond with a fake clock (packages/testing) and production runs on
 * the system clock and Node's timers (packages/server/src/services).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Cancels a scheduled task; calling it twice is harmless. */
export type Cancel = () => void;

/**
 * Runs named tasks later. Names say what a task is in logs and in a fake clock's listing. A task
 * that throws is logged by the implementation and, if periodic, runs again at its next period.
 */
export interface Scheduler {
  /** Runs fn every `ms` milliseconds, the first time `ms` from now, until cancelled. */
  every(name: string, ms: number, fn: () => void): Cancel;
  /** Runs fn once, `ms` milliseconds from now, unless cancelled before. */
  after(name: string, ms: number, fn: () => void): Cancel;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };
