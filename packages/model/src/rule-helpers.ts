import { error, type StratoError } from './errors.ts';

/** JSON of a value for a message, cut at 80 characters. */
export function show(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 80 ? `${s.slice(0, 80)}...` : s;
}

/** The codes of the rules of a kind: one template (`Invalid {what}: {field} {value} {rule}`), one code per kind of rule. */
export type RuleCode = 'VALUE_BLANK' | 'VALUE_RANGE' | 'VALUE_CHOICE' | 'VALUE_DUPLICATE' | 'VALUE_RULE' | 'REFERENCE_UNRESOLVED';

/**
 * A 400 naming the artifact, the field, the offending value and the rule, e.g.
 * `Invalid deployment policy dp-1: networkPartitions[0].partitionAlgo "x" must be one of round-robin, one-after-another`
 * (code VALUE_CHOICE).
 */
export function broken(code: RuleCode, what: string, field: string, value: unknown, rule: string): StratoError<RuleCode> {
  return error(code, { what, field, value: show(value), rule });
}

/** True for undefined, and for strings that are empty after trimming. */
export function isBlank(s: string | undefined): boolean {
  return s === undefined || s.trim() === '';
}

/** The first value that occurs twice, or undefined. */
export function firstDuplicate<T>(values: Iterable<T>): T | undefined {
  const seen = new Set<T>();
  for (const v of values) {
    if (seen.has(v)) return v;
    seen.add(v);
  }
  return undefined;
}

/** Termination behaviours of a group or an application. */
export const TERMINATION_BEHAVIOURS = ['terminate-none', 'terminate-dependents', 'terminate-all'] as const;
