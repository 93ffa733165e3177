/** @strato/cli: the `strato` command line, runnable in process (tests) through {@link run}. */
export { run } from './program.ts';
export { watchRuntime } from './watch.ts';
export { recogniseKind, APPLY_ORDER } from './kinds.ts';
