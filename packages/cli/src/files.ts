/**
 * Reads the artifacts of `apply -f` / `delete -f`: a file (one artifact, or a JSON array of them) or
 * a folder (its `.json` files, sub-folders included, in name order), each artifact's kind
 * recognised from its content.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CollectionKind } from '@strato/client';
import { idOf, parseJson } from '@strato/model';
import { CliError } from './errors.ts';
import { APPLY_ORDER, idField, label, recogniseKind } from './kinds.ts';

export interface FoundArtifact {
  kind: CollectionKind;
  id: string;
  body: Record<string, unknown>;
  /** where it was read, for messages: the file, and `[i]` for an element of an array */
  source: string;
}

function jsonFiles(path: string): string[] {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    throw new CliError(`${path}: no such file or folder`);
  }
  if (!stat.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...jsonFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(full);
  }
  return out;
}

/** Every artifact found under `paths`, in dependency order (APPLY_ORDER; file order within a kind). */
export function readArtifacts(paths: string[], cwd = process.cwd()): FoundArtifact[] {
  const found: FoundArtifact[] = [];
  const seen = new Map<string, string>();
  for (const path of paths) {
    for (const file of jsonFiles(path)) {
      const name = relative(cwd, file) || file;
      let parsed: unknown;
      try {
        parsed = parseJson(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new CliError(`${name}: ${(e as Error).message}`);
      }
      const items = Array.isArray(parsed) ? parsed : [parsed];
      items.forEach((item, i) => {
        const source = Array.isArray(parsed) ? `${name}[${i}]` : name;
        const kind = recogniseKind(item);
        if (!kind) {
          throw new CliError(
            `${source}: not a strato artifact (expected a network partition, policy, cartridge, cartridge group, application or Kubernetes cluster in Stratos's JSON format)`,
          );
        }
        const id = idOf(kind, item);
        if (!id) throw new CliError(`${source}: this ${label(kind)} has no ${idField(kind)}`);
        const key = `${kind}/${id}`;
        const before = seen.get(key);
        if (before) throw new CliError(`${source}: ${label(kind)} ${id} is defined twice (also in ${before})`);
        seen.set(key, source);
        found.push({ kind, id, body: item as Record<string, unknown>, source });
      });
    }
  }
  const rank = (k: CollectionKind) => APPLY_ORDER.indexOf(k);
  // a stable sort keeps the file order within a kind
  return found
    .map((a, i) => ({ a, i }))
    .sort((x, y) => rank(x.a.kind) - rank(y.a.kind) || x.i - y.i)
    .map((x) => x.a);
}
