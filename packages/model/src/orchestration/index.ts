/**
 * The pure orchestration core of strato: identifiers, state machines, the application component
 * tree, the startup dependency tree, status roll-up, partition algorithms and timing defaults.
 * No I/O, no timers, no randomness.
 */
export type * from './definitions.ts';
export * from './identifiers.ts';
export * from './state-machines.ts';
export * from './life-cycle.ts';
export * from './dependency-tree.ts';
export * from './application-tree.ts';
export * from './activation.ts';
export * from './partition-algorithms.ts';
export * from './member-expiry.ts';
export * from './cluster-decisions.ts';
export * from './level-decisions.ts';
export * from './settings-defaults.ts';
