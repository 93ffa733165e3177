/**
 * Secrets in global artifacts (a Kubernetes cluster's or host's password property, a cartridge's
 * IaaS identity and credential) are for the super tenant's administrators: everyone else who may
 * read the artifact sees them masked.
 */

/** What a masked secret reads as. */
export const REDACTED = '********';

/** Names of fields and properties that hold secrets. */
const SECRET_NAME = /pass(word|wd)?|secret|credential|token|private[-_.]?key|api[-_.]?key|identity/i;

/** Whether a field or property name holds a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * A copy of `value` with every secret masked: string fields whose name holds a secret, and the
 * `value` of every `{name, value}` property whose name does. Nothing else changes.
 */
export function redactSecrets<T>(value: T): T {
  return redact(value) as T;
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  const isProperty = typeof o.name === 'string' && 'value' in o;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (isProperty && k === 'value' && isSecretName(o.name as string)) out[k] = REDACTED;
    else if (typeof v === 'string' && isSecretName(k)) out[k] = REDACTED;
    else out[k] = redact(v);
  }
  return out;
}
