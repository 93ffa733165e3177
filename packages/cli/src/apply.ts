/**
 * `apply -f` and `delete -f`: every artifact found, in dependency order (reversed for delete).
 *
 * apply compares each artifact with what the server has, both in the model's normal form (the
 * server stores that form, so defaults, spellings and Stratos's lenient input do not count as
 * changes): absent → POST (created), equal → nothing written (unchanged), different → PUT
 * (updated). A failed artifact is reported with the server's message and code and the others are
 * still tried; the command then exits 1.
 */
import { type CollectionKind, StratoApiError, type StratoClient, StratoUnreachableError } from '@strato/client';
import { type ArtifactKind, normalize } from '@strato/model';
import { describeError } from './errors.ts';
import type { FoundArtifact } from './files.ts';
import { label } from './kinds.ts';

export type ApplyOutcome = 'created' | 'updated' | 'unchanged' | 'deleted' | 'absent' | 'failed';

export interface ApplyResult {
  kind: CollectionKind;
  id: string;
  source: string;
  outcome: ApplyOutcome;
  /** the server's reason for a failure */
  error?: string;
}

/** A JSON value with its object keys sorted, for comparison. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** Whether two definitions of a kind say the same, once both are in the model's normal form. */
export function sameDefinition(kind: CollectionKind, local: unknown, remote: unknown): boolean {
  const norm = (v: unknown) => {
    try {
      return JSON.stringify(canonical(normalize(kind as ArtifactKind, v)));
    } catch {
      // not valid: let the server say why, on the write
      return `invalid:${JSON.stringify(canonical(v))}`;
    }
  };
  return norm(local) === norm(remote);
}

/** The server could not be reached: no point trying the other artifacts. */
const fatal = (e: unknown) => e instanceof StratoUnreachableError || (e instanceof StratoApiError && (e.status === 401 || e.status === 403));

export async function applyArtifacts(client: StratoClient, artifacts: FoundArtifact[], report: (r: ApplyResult) => void): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  for (const a of artifacts) {
    const collection = client.collection(a.kind);
    let outcome: ApplyOutcome;
    try {
      const current = await collection.find(a.id);
      if (current === undefined) {
        await collection.add(a.body);
        outcome = 'created';
      } else if (sameDefinition(a.kind, a.body, current)) {
        outcome = 'unchanged';
      } else {
        await collection.update(a.body);
        outcome = 'updated';
      }
    } catch (e) {
      if (fatal(e)) throw e;
      const r: ApplyResult = { kind: a.kind, id: a.id, source: a.source, outcome: 'failed', error: describeError(e) };
      results.push(r);
      report(r);
      continue;
    }
    const r: ApplyResult = { kind: a.kind, id: a.id, source: a.source, outcome };
    results.push(r);
    report(r);
  }
  return results;
}

/** Removes the artifacts in the reverse of the dependency order; one that is not there is `absent`. */
export async function deleteArtifacts(client: StratoClient, artifacts: FoundArtifact[], report: (r: ApplyResult) => void): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  for (const a of [...artifacts].reverse()) {
    const collection = client.collection(a.kind);
    let r: ApplyResult;
    try {
      if ((await collection.find(a.id)) === undefined) {
        r = { kind: a.kind, id: a.id, source: a.source, outcome: 'absent' };
      } else {
        await collection.remove(a.id);
        r = { kind: a.kind, id: a.id, source: a.source, outcome: 'deleted' };
      }
    } catch (e) {
      if (fatal(e)) throw e;
      r = { kind: a.kind, id: a.id, source: a.source, outcome: 'failed', error: describeError(e) };
    }
    results.push(r);
    report(r);
  }
  return results;
}

/** `cartridge web created`, kubectl's way of saying what happened. */
export function resultLine(r: ApplyResult): string {
  const what = `${label(r.kind)} ${r.id}`;
  if (r.outcome === 'failed') return `${what} failed: ${r.error}`;
  if (r.outcome === 'absent') return `${what} not found (nothing to delete)`;
  return `${what} ${r.outcome}`;
}
