/**
 * @strato/model — the artifact model of strato, with no I/O: JSON schemas of every Stratos 4.1
 * artifact, their normalisation (Stratos's input leniency), validation against the other
 * artifacts, and the pure orchestration core (dependency tree, state machines, identifiers).
 *
 * CONTRACT (the server codes against these names; implementations live in the files named):
 *   errors.ts      StratoError (built by code only: error('ARTIFACT_NOT_FOUND', {...})), the catalogue
 *                  of codes, statuses and message templates (error-catalogue.ts, docs/errors.md)
 *   json.ts        parseJson(text): unknown  — JSON with a tolerated trailing comma before } or ],
 *                  any other syntax error throws JSON_MALFORMED ('Malformed JSON at line L, column C: ...')
 *   artifacts.ts   ArtifactKind, the TypeScript types (Cartridge, CartridgeGroup, Application, ...)
 *   schemas.ts     schemas: Record<ArtifactKind, TSchema> — TypeBox input schemas (OpenAPI source)
 *   response-schemas.ts  TypeBox schemas of answers: envelopes (success, error with code), runtime, cluster
 *   normalize.ts   normalize(kind, input): typed artifact in normal form, or throws a 400 (FIELD_*) naming
 *                  the field path, the value and the rule
 *   catalog.ts     Catalog (snapshot of stored artifacts) and validate(kind, artifact, catalog, mode)
 *                  and referrerOf(kind, id, catalog) for "still in use" checks
 *
 * Helpers behind them (also exported): application-references.ts (walk an application's subscriptions
 * and group references), startup-order.ts (parse `cartridge.`/`group.` entries, find cycles),
 * infrastructure-rules.ts / group-rules.ts / application-rules.ts (the rules per kind),
 * rule-helpers.ts (message helpers).
 *
 * orchestration/ is the pure orchestration core (tree, state machines, partition algorithms,
 * cluster decisions); scaling/ the pure autoscaling core (statistics windows, scaling rules,
 * dependent scaling, group scaling and bursting decisions).
 */
export * from './errors.ts';
export * from './clock.ts';
export * from './redact.ts';
export * from './json.ts';
export * from './artifacts.ts';
export * from './schemas.ts';
export * from './response-schemas.ts';
export * from './normalize.ts';
export * from './catalog.ts';
export * from './application-references.ts';
export { ALIAS_PATTERN } from './application-rules.ts';
export { networkPartitionGroups, NETWORK_PARTITION_GROUPS } from './infrastructure-rules.ts';
export { findStartupCycle, parseChildRef, type ChildRef } from './startup-order.ts';
export * from './orchestration/index.ts';
export * from './scaling/index.ts';
