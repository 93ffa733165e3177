import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ID_FIELD, KIND_LABEL } from './artifacts.ts';
import type { Application, ArtifactKind, ArtifactOf, Cartridge, CartridgeGroup, CartridgeReference, Dependencies, GroupReference } from './artifacts.ts';
import { error, type StratoError } from './errors.ts';
import { schemas } from './schemas.ts';

/*
 * Stratos's input leniency (JAXB + Jettison), reproduced with ajv in coercing mode:
 *  - numbers and booleans given as strings ("22", "false") and strings given as numbers;
 *  - a single value where a list is expected becomes a one-element list;
 *  - unknown fields are ignored (and dropped from the normal form);
 *  - null means "absent".
 * ajv coerces and removes in place, so the input is first deep-copied (dropping nulls on the way).
 */

const ajv = new Ajv({
  coerceTypes: 'array',
  removeAdditional: 'all',
  allErrors: false,
  useDefaults: false,
  verbose: true, // puts the offending value on each error
  strict: false,
});

const validators = new Map<ArtifactKind, ValidateFunction>();

function validatorOf(kind: ArtifactKind): ValidateFunction {
  let v = validators.get(kind);
  if (!v) {
    v = ajv.compile(schemas[kind]);
    validators.set(kind, v);
  }
  return v;
}

/**
 * Turns a client's JSON body into the normal form of an artifact: declared types, real arrays, no
 * nulls, unknown fields dropped, and Stratos's input rewrites applied (a blank port-mapping name
 * becomes `{protocol}-{port}`; `artifactRepository.alias` becomes the subscription alias;
 * startup-order and scaling-dependent entries holding comma-separated lists are split and trimmed).
 *
 * The input is not modified. Normalising a normal form returns an equal value (idempotent).
 *
 * @throws StratoError 400 naming the field path (e.g. `cartridge.portMapping[0].port`), the
 *   offending value and the rule broken; or naming the kind when the input is not an object.
 */
export function normalize<K extends ArtifactKind>(kind: K, input: unknown): ArtifactOf<K> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw error('BODY_NOT_OBJECT', { label: KIND_LABEL[kind], type: describeType(input) });
  }
  let data = prepare(input, schemas[kind] as SchemaNode, refsOf(kind)) as Record<string, unknown>;
  if (upgradeLegacyFields(kind, data)) data = prepare(data, schemas[kind] as SchemaNode, refsOf(kind)) as Record<string, unknown>;
  const validate = validatorOf(kind);
  if (!validate(data)) {
    throw schemaError(kind, validate.errors?.[0]);
  }
  const idField = ID_FIELD[kind];
  if (String(data[idField]).trim() === '') {
    throw error('FIELD_BLANK', { field: `${kind}.${idField}` });
  }
  switch (kind) {
    case 'cartridge':
      fixCartridge(data as Cartridge);
      break;
    case 'cartridgeGroup':
      fixGroupDefinition(data as CartridgeGroup);
      break;
    case 'application':
      fixApplication(data as Application);
      break;
  }
  return data as ArtifactOf<K>;
}

/**
 * Two samples use pre-4.1 field names (stratos-samples must all be accepted as they are):
 * a deployment policy with `networkPartition` / partition `max`
 * (applications/nested/single-level-nested-groups-app/artifacts/deployment-policy.json), and a
 * network partition whose `provider` is given on its partitions only
 * (network-partitions/ec2/network-partition-2.json). The old names are read when the 4.1 name is
 * absent; the normal form only has the 4.1 names.
 */
function upgradeLegacyFields(kind: ArtifactKind, data: Record<string, unknown>): boolean {
  let changed = false;
  if (kind === 'deploymentPolicy') {
    if (data.networkPartitions === undefined && data.networkPartition !== undefined) {
      data.networkPartitions = data.networkPartition;
      changed = true;
    }
    const nps = Array.isArray(data.networkPartitions) ? data.networkPartitions : [data.networkPartitions];
    for (const np of nps) {
      if (!isObject(np)) continue;
      const parts = Array.isArray(np.partitions) ? np.partitions : [np.partitions];
      for (const p of parts) {
        if (isObject(p) && p.partitionMax === undefined && p.max !== undefined) {
          p.partitionMax = p.max;
          changed = true;
        }
      }
    }
  } else if (kind === 'networkPartition' && data.provider === undefined) {
    const parts = Array.isArray(data.partitions) ? data.partitions : [data.partitions];
    const providers = new Set(parts.map((p) => (isObject(p) ? p.provider : undefined)));
    const [only] = providers;
    if (providers.size === 1 && (typeof only === 'string' || typeof only === 'number')) {
      data.provider = only;
      changed = true;
    }
  }
  return changed;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fixCartridge(c: Cartridge): void {
  for (const pm of c.portMapping) {
    if (pm.name === undefined || pm.name.trim() === '') pm.name = `${pm.protocol}-${pm.port}`;
  }
}

function fixGroupDefinition(g: CartridgeGroup): void {
  if (g.dependencies) splitAliases(g.dependencies);
  for (const child of g.groups ?? []) fixGroupDefinition(child);
}

function fixApplication(app: Application): void {
  if (app.components.dependencies) splitAliases(app.components.dependencies);
  const fixCartridges = (refs: CartridgeReference[] | undefined) => {
    for (const ref of refs ?? []) {
      const info = ref.subscribableInfo;
      if (info.artifactRepository) info.artifactRepository.alias = info.alias;
    }
  };
  const fixGroup = (g: GroupReference) => {
    fixCartridges(g.cartridges);
    for (const child of g.groups ?? []) fixGroup(child);
  };
  fixCartridges(app.components.cartridges);
  for (const g of app.components.groups ?? []) fixGroup(g);
}

/** `"group.a, cartridge.b"` inside one `aliases` list is two entries (rest-api.md §6.6). */
function splitAliases(deps: Dependencies): void {
  for (const list of [...(deps.startupOrders ?? []), ...(deps.scalingDependents ?? [])]) {
    list.aliases = list.aliases.flatMap((a) =>
      a
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    );
  }
}

type SchemaNode = {
  type?: string;
  $id?: string;
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
};

const refsByKind = new Map<ArtifactKind, Map<string, SchemaNode>>();

/** The `$id`-named sub-schemas of a kind's schema (the recursive ones), for `$ref` lookups. */
function refsOf(kind: ArtifactKind): Map<string, SchemaNode> {
  let refs = refsByKind.get(kind);
  if (!refs) {
    const found = new Map<string, SchemaNode>();
    const walk = (n: SchemaNode | undefined) => {
      if (!n || typeof n !== 'object') return;
      if (n.$id) {
        if (found.has(n.$id)) return;
        found.set(n.$id, n);
      }
      for (const child of Object.values(n.properties ?? {})) walk(child);
      walk(n.items);
    };
    walk(schemas[kind] as SchemaNode);
    refs = found;
    refsByKind.set(kind, refs);
  }
  return refs;
}

/**
 * Deep copy of a JSON value guided by the schema: `null` object members and `null` list elements
 * are dropped, and an object where the schema expects a list becomes a one-element list (ajv's
 * `coerceTypes: 'array'` only wraps scalars).
 */
function prepare(value: unknown, schema: SchemaNode | undefined, refs: Map<string, SchemaNode>): unknown {
  const node = schema?.$ref !== undefined ? refs.get(schema.$ref) : schema;
  if (node?.type === 'array' && isObject(value)) value = [value];
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) if (v !== null && v !== undefined) out.push(prepare(v, node?.items, refs));
    return out;
  }
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined) continue;
      const child = node?.properties && Object.hasOwn(node.properties, k) ? node.properties[k] : undefined;
      // a JSON key "__proto__" is an ordinary key; never let it reach the prototype
      Object.defineProperty(out, k, { value: prepare(v, child, refs), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v} (${truncate(JSON.stringify(v) ?? String(v))})`;
}

/** `/portMapping/0/port` → `cartridge.portMapping[0].port`. */
function pathOf(kind: ArtifactKind, instancePath: string): string {
  let out = kind;
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`;
  }
  return out;
}

function truncate(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

/** ajv keywords of bounds: their breach is FIELD_RANGE. */
const RANGE_KEYWORDS = new Set([
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
]);

/** The first schema breach as an error naming the field path, the rule and the value: FIELD_REQUIRED, FIELD_TYPE, FIELD_RANGE or FIELD_FORMAT. */
function schemaError(kind: ArtifactKind, e: ErrorObject | undefined): StratoError {
  /* c8 ignore next -- ajv names the breach of every failed validation */
  if (!e) return error('ARTIFACT_INVALID', { label: KIND_LABEL[kind] });
  const path = pathOf(kind, e.instancePath);
  if (e.keyword === 'required') {
    return error('FIELD_REQUIRED', { field: `${path}.${String((e.params as { missingProperty: string }).missingProperty)}` });
  }
  const shown = truncate(JSON.stringify(e.data) ?? String(e.data));
  const code = e.keyword === 'type' ? 'FIELD_TYPE' : RANGE_KEYWORDS.has(e.keyword) ? 'FIELD_RANGE' : 'FIELD_FORMAT';
  return error(code, { field: path, rule: e.message ?? 'is invalid', value: shown });
}
