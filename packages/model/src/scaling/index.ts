/**
 * The pure autoscaling core of strato (orchestration.md §3.7-3.9, §4, §5): health-statistics
 * windows, the scaling rules of a cluster instance, dependent scaling, group scaling and bursting.
 * No I/O, no timers: every function takes the time in.
 */
export * from './defaults.ts';
export * from './statistics.ts';
export * from './rules.ts';
export * from './dependents.ts';
export * from './parent.ts';
