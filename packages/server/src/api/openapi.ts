import { schemas } from '@strato/model';

type Json = Record<string, any>;

const COMPONENTS = '#/components/schemas/';

/** Every schema of @strato/model that carries an `$id` (the recursive ones), by id, as JSON. */
function identifiedSchemas(): Map<string, Json> {
  const found = new Map<string, Json>();
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    const o = v as Json;
    if (typeof o.$id === 'string' && !found.has(o.$id)) found.set(o.$id, JSON.parse(JSON.stringify(o)));
    for (const x of Object.values(o)) walk(x);
  };
  for (const s of Object.values(schemas)) walk(s);
  return found;
}

/**
 * A model schema as the OpenAPI document shows it: a nested schema with an `$id` becomes a
 * reference to `#/components/schemas/<id>`, a bare `$ref: "<id>"` points there too, and the
 * top-level `$id` is dropped.
 */
export function openapiSchema(schema: unknown, top = true): any {
  if (Array.isArray(schema)) return schema.map((x) => openapiSchema(x, false));
  if (!schema || typeof schema !== 'object') return schema;
  const o = schema as Json;
  if (!top && typeof o.$id === 'string') return { $ref: COMPONENTS + o.$id };
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === '$id') continue;
    if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) out[k] = COMPONENTS + v;
    else out[k] = openapiSchema(v, false);
  }
  return out;
}

/**
 * @fastify/swagger leaves the self-reference of a recursive request body (`$ref: "CartridgeGroupBean"`)
 * dangling and names other recursive schemas `def-N`. This makes every reference point into
 * `components.schemas`, keyed by the schema's `$id`, so that the document is valid OpenAPI 3.
 */
export function linkRecursiveSchemas({ openapiObject }: { openapiObject: unknown }): Json {
  const doc = JSON.parse(JSON.stringify(openapiObject)) as Json;
  const byId = identifiedSchemas();
  doc.components ??= {};
  const components: Json = (doc.components.schemas ??= {});

  const renamed = new Map<string, string>();
  for (const [key, value] of Object.entries(components)) {
    if (/^def-\d+$/.test(key) && typeof value?.title === 'string' && byId.has(value.title)) {
      renamed.set(COMPONENTS + key, COMPONENTS + value.title);
      delete components[key];
    }
  }
  for (const [id, schema] of byId) components[id] = openapiSchema(schema);

  const fix = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    const o = v as Json;
    if (typeof o.$ref === 'string') {
      if (!o.$ref.startsWith('#')) o.$ref = COMPONENTS + o.$ref;
      o.$ref = renamed.get(o.$ref) ?? o.$ref;
    }
    delete o.$id;
    for (const x of Object.values(o)) fix(x);
  };
  fix(doc.paths);
  fix(components);
  return doc;
}
