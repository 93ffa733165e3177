/**
 * How a setting is declared: its environment variable, its default, its meaning and how it is read,
 * in one place. The README's settings table is checked against these declarations, and the value a
 * server runs with is read through them, so a default cannot be documented one way and applied
 * another. This module depends on nothing else of the server.
 */

/** A setting as the README shows it. */
export interface SettingInfo {
  env: string;
  /** the default as shown in the README (for a value in seconds: seconds) */
  default: string;
  meaning: string;
}

/** A declared setting: what the README shows, and how its value is read from the environment. */
export interface Setting<T> extends SettingInfo {
  read(env: NodeJS.ProcessEnv): T;
}

/** The raw value of a variable; empty counts as unset. */
function raw(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function invalid(name: string, value: string, expected: string): Error {
  return new Error(`Setting ${name}=${JSON.stringify(value)} is invalid: expected ${expected}`);
}

export interface IntegerOptions {
  min: number;
  max: number;
  /** the value read is multiplied by it (a setting in seconds kept in milliseconds: 1000) */
  scale?: number;
  /** the default as the README shows it, when not the number itself */
  shown?: string;
}

/** An integer from `min` to `max`; unset: `fallback` (both before `scale`). */
export function integer(env: string, fallback: number, meaning: string, o: IntegerOptions): Setting<number> {
  const scale = o.scale ?? 1;
  return {
    env,
    default: o.shown ?? String(fallback),
    meaning,
    read(e) {
      const value = raw(e, env);
      if (value === undefined) return fallback * scale;
      const n = Number(value);
      if (!Number.isInteger(n) || n < o.min || n > o.max) throw invalid(env, value, `an integer from ${o.min} to ${o.max}`);
      return n * scale;
    },
  };
}

/** An integer from `min` to `max`, or undefined when unset. */
export function optionalInteger(env: string, meaning: string, o: IntegerOptions): Setting<number | undefined> {
  const set = integer(env, 0, meaning, o);
  return { ...set, default: o.shown ?? '(unset)', read: (e) => (raw(e, env) === undefined ? undefined : set.read(e)) };
}

/** Free text; unset: `fallback`. */
export function text(env: string, fallback: string, meaning: string, shown?: string): Setting<string> {
  return { env, default: shown ?? fallback, meaning, read: (e) => raw(e, env) ?? fallback };
}

/** Free text, or undefined when unset. */
export function optionalText(env: string, meaning: string, shown = '(unset)'): Setting<string | undefined> {
  return { env, default: shown, meaning, read: (e) => raw(e, env) };
}

/** `true` or `false`. */
export function flag(env: string, fallback: boolean, meaning: string): Setting<boolean> {
  return {
    env,
    default: String(fallback),
    meaning,
    read(e) {
      const value = raw(e, env);
      if (value === undefined) return fallback;
      if (value === 'true' || value === 'false') return value === 'true';
      throw invalid(env, value, 'true or false');
    },
  };
}

/** One of a fixed list of words. */
export function choice<T extends string>(env: string, fallback: T, choices: readonly T[], meaning: string): Setting<T> {
  return {
    env,
    default: fallback,
    meaning,
    read(e) {
      const value = raw(e, env) ?? fallback;
      if (!choices.includes(value as T)) throw invalid(env, value, `one of ${choices.join(', ')}`);
      return value as T;
    },
  };
}

/** A comma-separated list (items trimmed, empty items dropped); unset: empty. */
export function list(env: string, meaning: string, shown = '(unset)'): Setting<string[]> {
  return {
    env,
    default: shown,
    meaning,
    read: (e) =>
      (raw(e, env) ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
  };
}

/** A setting with a reader of its own; `read` gets the raw value (undefined when unset). */
export function custom<T>(env: string, shown: string, meaning: string, read: (value: string | undefined) => T): Setting<T> {
  return { env, default: shown, meaning, read: (e) => read(raw(e, env)) };
}

/** The README rows of some declared settings. */
export function infoOf(settings: readonly SettingInfo[]): SettingInfo[] {
  return settings.map(({ env, default: d, meaning }) => ({ env, default: d, meaning }));
}
