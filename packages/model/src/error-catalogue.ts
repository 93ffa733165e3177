/**
 * The catalogue of every error strato answers with: a stable code, the HTTP status it maps to and the
 * message template. `{name}` in a template is a parameter the error is built with; the text around
 * the parameters is Stratos's where its clients match on it, so it never changes for a given code.
 * A code is never renamed or reused: clients may match on it. docs/errors.md is generated from this
 * file (`npm run docs:errors`).
 */
export interface CatalogueEntry {
  /** HTTP status of the answer. */
  readonly status: number;
  /** The message, `{name}` standing for a parameter. */
  readonly template: string;
  /** When it happens, for the documentation. */
  readonly about: string;
  /** Defined for clients to rely on, but not raised by this version. */
  readonly reserved?: true;
}

/** The generic rule breach of a validated artifact: the artifact, the field, the value (as JSON) and the rule. */
const RULE = 'Invalid {what}: {field} {value} {rule}';

export const ERROR_CATALOGUE = {
  // ---- 400: the request body as JSON and as a document of its kind (normalize)
  JSON_MALFORMED: {
    status: 400,
    template: 'Malformed JSON at line {line}, column {column}: {reason}',
    about: 'The body is not JSON (a trailing comma before } or ] is tolerated).',
  },
  JSON_UNPARSABLE: {
    status: 400,
    template: 'Malformed JSON: {reason}',
    about: 'The body is not JSON and no position could be named.',
  },
  BODY_NOT_OBJECT: {
    status: 400,
    template: 'A {label} must be a JSON object, got {type}',
    about: 'The body is JSON, but not an object.',
  },
  ARTIFACT_NOT_OBJECT: {
    status: 400,
    template: 'A {label} must be a JSON object',
    about: 'An artifact handed to validation is not an object.',
  },
  ARTIFACT_INVALID: {
    status: 400,
    template: 'Invalid {label}',
    about: 'The document breaks its schema in a way no single field names.',
  },
  FIELD_REQUIRED: {
    status: 400,
    template: '{field} is required',
    about: 'A required field is missing (the field path names it).',
  },
  FIELD_TYPE: {
    status: 400,
    template: '{field} {rule}, got {value}',
    about: 'A field has the wrong JSON type.',
  },
  FIELD_RANGE: {
    status: 400,
    template: '{field} {rule}, got {value}',
    about: 'A number, string or list is out of its bounds (minimum, maximum, length, items).',
  },
  FIELD_FORMAT: {
    status: 400,
    template: '{field} {rule}, got {value}',
    about: 'A field breaks another schema rule: an enumeration, a pattern, a format, an unknown property.',
  },
  FIELD_BLANK: {
    status: 400,
    template: '{field} must not be blank',
    about: 'The id field of an artifact is blank.',
  },
  ID_BLANK: {
    status: 400,
    template: '{Kind} id is blank',
    about: 'The id of an artifact is blank.',
  },
  ID_TOO_LONG: {
    status: 400,
    template: '{Kind} id {id} is {length} characters long: at most {max} are allowed',
    about: 'The id of an artifact is longer than ids may be.',
  },

  // ---- 400: the rules of a kind (validate), sharing one template per rule kind
  VALUE_BLANK: { status: 400, template: RULE, about: 'A field must not be blank or empty (a string, a list).' },
  VALUE_RANGE: { status: 400, template: RULE, about: 'A value is out of its range (a port, a minimum above its maximum, a length).' },
  VALUE_CHOICE: { status: 400, template: RULE, about: 'A value is not one of those allowed, or does not match its pattern.' },
  VALUE_DUPLICATE: { status: 400, template: RULE, about: 'A name, alias or id occurs more than once where it must be unique.' },
  VALUE_RULE: { status: 400, template: RULE, about: 'A value breaks a rule of its kind (where a deployment policy may be given, ...).' },
  REFERENCE_UNRESOLVED: {
    status: 400,
    template: RULE,
    about: 'A field names an artifact (cartridge, policy, network partition, partition) that does not exist.',
  },
  GROUP_NAME_BLANK: {
    status: 400,
    template: '{what}.name {value} must not be blank',
    about: 'A cartridge group, or a nested one, has a blank name.',
  },
  GROUP_CARTRIDGE_DUPLICATE: {
    status: 400,
    template: '{what}.cartridges: duplicate cartridges defined: {type}',
    about: 'A cartridge group lists a cartridge twice.',
  },
  GROUP_DUPLICATE: {
    status: 400,
    template: '{what}.groups: duplicate groups defined: {name}',
    about: 'A cartridge group nests two groups of one name.',
  },
  GROUP_CARTRIDGE_UNRESOLVED: {
    status: 400,
    template: '{what}.cartridges[{index}] {value} is not an existing cartridge: Could not find cartridge: [cartridge-type] {type}',
    about: 'A cartridge group names a cartridge that does not exist.',
  },
  GROUP_CYCLE: {
    status: 400,
    template: '{what}.groups[{index}].name {value} repeats an ancestor: cyclic group behaviour identified: {name}',
    about: 'A cartridge group nests itself.',
  },
  GROUP_TERMINATION_BEHAVIOUR: {
    status: 400,
    template: '{what}.dependencies.terminationBehaviour {value} must be one of {allowed}: Invalid Termination Behaviour specified: [ {behaviour} ]',
    about: 'A cartridge group names an unknown termination behaviour.',
  },
  GROUP_DEPENDENCY_PREFIX: {
    status: 400,
    template: "{what}.dependencies.{list} entry {entry} must be prefixed by either 'cartridge.' or 'group.' (group {group})",
    about: 'A startup order or scaling dependent entry of a group names neither a cartridge nor a group.',
  },
  GROUP_CARTRIDGE_NOT_IN_GROUP: {
    status: 400,
    template:
      'Invalid application {application}: {path}: Cartridge {type} not defined in cartridge group: [application] {application} [cartridge-group-name] {group} [cartridge-group-alias] {alias}',
    about: 'An application subscribes a group to a cartridge its group definition does not list.',
  },
  STARTUP_ORDER_PREFIX: {
    status: 400,
    template: "Invalid {where}.{list} entry {entry}: Incorrect startup order specified, should start with 'cartridge.' or 'group.'",
    about: 'A startup order or scaling dependent entry of an application names neither a cartridge nor a group.',
  },
  STARTUP_ORDER_ALIAS_UNKNOWN: {
    status: 400,
    template: 'The {noun} defined in {where} is not correct. [{noun}-alias] {entry} is not there in the application.',
    about: 'A startup order or scaling dependent entry names an alias that is not in the application.',
  },
  STARTUP_ORDER_CYCLE: {
    status: 400,
    template: 'startupOrders of {owner} form a cycle: {cycle}',
    about: 'The startup orders of an application or a cartridge group form a cycle.',
  },
  TERMINATION_BEHAVIOUR: {
    status: 400,
    template:
      "Invalid {where}.terminationBehaviour {value}: Invalid termination behaviour found: [ {behaviour} ], should be one of 'terminate-none', 'terminate-dependents', 'terminate-all'",
    about: 'An application names an unknown termination behaviour.',
  },
  TENANT_DOMAIN_INVALID: { status: 400, template: 'Invalid domain: [domain] {domain}', about: 'A tenant domain is not a domain name.' },
  TENANT_EMAIL_INVALID: { status: 400, template: 'Invalid email: [email] {email}', about: 'A tenant email is not an email address.' },
  TENANT_ADMIN_TOO_LONG: {
    status: 400,
    template: 'tenant.admin is {length} characters long: a user name has at most {max}',
    about: 'A tenant administrator name is too long.',
  },
  TENANT_ADMIN_REQUIRED: {
    status: 400,
    template: 'tenant.{field} is required: the {what} of the tenant administrator',
    about: 'A new tenant lacks its administrator name or password.',
  },

  // ---- 400: building the runtime of an application at deploy
  ALIAS_ALREADY_DEFINED: {
    status: 400,
    template: 'Alias is already defined: [application-id] {application} [alias] {alias}',
    about: 'Two components of a deployed application share an alias.',
  },
  GROUP_NOT_FOUND: {
    status: 400,
    template: 'Cartridge group not found group-name: {name}',
    about: 'A deployed application names a cartridge group that does not exist.',
  },
  DEPENDENCY_ENTRY_INVALID: {
    status: 400,
    template: "Invalid startup order or scaling dependent entry [{entry}]: should start with 'cartridge.' or 'group.'",
    about: 'A dependency entry of a deployed application names neither a cartridge nor a group.',
  },
  DEPENDENCY_CYCLE: {
    status: 400,
    template: 'Cyclic startup order in {where}: {cycle}',
    about: 'The startup orders of a deployed application form a cycle.',
  },
  DEPENDENCY_INCONSISTENT: {
    status: 400,
    template: 'Startup order in {where} is not consistent: {entry} is defined more than once in another startup order (after {first} and after {second})',
    about: 'A component follows two different components in the startup orders of a deployed application.',
  },
  DEPLOYMENT_POLICY_UNRESOLVED: {
    status: 400,
    template: 'Deployment policy not found: [deployment-policy-id] {id} used by application {application}',
    about: 'Deploy: the application names a deployment policy that does not exist.',
  },
  NETWORK_PARTITION_NOT_IN_POLICY: {
    status: 400,
    template:
      'Invalid Application Policy: Network partition [network-partition-id] {networkPartition} is not used in application [application-id] {application}: deployment policy {deploymentPolicy} does not reference it',
    about: 'Deploy: the application policy names a network partition a deployment policy of the application does not.',
  },
  IAAS_PROVIDER_UNBOUND: {
    status: 400,
    template: 'Network partition {id} names the IaaS provider {provider}, which is bound to no driver',
    about: 'Deploy: a network partition names an IaaS provider no driver serves (STRATO_IAAS_PROVIDERS).',
  },
  NETWORK_PARTITION_INVALID: {
    status: 400,
    template: 'Network partition {id} is invalid since the partition {partition} is invalid: {reason}',
    about: 'A partition of a network partition is refused by its IaaS driver.',
  },
  CARTRIDGE_FILTER_UNKNOWN: {
    status: 400,
    template: 'Unknown cartridge filter {filter}: expected one of {filters}',
    about: 'GET /cartridges/filter/{filter}: an unknown filter.',
  },

  // ---- 400 and others: the HTTP request itself (fastify, node)
  REQUEST_INVALID: {
    status: 400,
    template: '{reason}',
    about: 'A path, query or header parameter breaks the route schema (fastify validation).',
  },
  REQUEST_REJECTED: {
    status: 400,
    template: '{reason}',
    about: "Another request error raised by fastify (a malformed URL, ...); its status is fastify's (4xx).",
  },
  BODY_EMPTY: { status: 400, template: 'Request body is empty', about: 'A body was required but none was sent.' },
  BODY_LENGTH_MISMATCH: {
    status: 400,
    template: 'Request body size did not match Content-Length',
    about: 'The body is shorter or longer than its Content-Length.',
  },
  BODY_JSON_INVALID: { status: 400, template: '{reason}', about: "fastify's own JSON parser refused the body." },
  HTTP_MALFORMED: {
    status: 400,
    template: 'Malformed HTTP request{detail}',
    about: "Node's HTTP parser refused the request (its code in parentheses); the connection is closed.",
  },
  REQUEST_TIMEOUT: {
    status: 408,
    template: 'The request took too long to arrive',
    about: 'The request was not complete in time; the connection is closed.',
  },
  BODY_TOO_LARGE: { status: 413, template: 'Request body is too large', about: 'The body is larger than STRATO_BODY_LIMIT.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    template: 'Unsupported content type {contentType}: send application/json',
    about: 'A body of another content type than JSON.',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    template: 'The request headers are too large',
    about: "The request headers exceed node's limit; the connection is closed.",
  },
  ROUTE_NOT_FOUND: { status: 404, template: 'No resource at {method} {path}', about: 'No route serves this method and path.' },

  // ---- 401, 403, 429: who calls
  AUTHENTICATION_REQUIRED: { status: 401, template: 'The endpoint requires authentication', about: 'No credentials and no session.' },
  BASIC_AUTH_ONLY: {
    status: 401,
    template: 'Only HTTP Basic authentication is supported',
    about: 'An Authorization header of another scheme than Basic.',
  },
  USERNAME_MISSING: { status: 401, template: 'Username cannot be null', about: 'Credentials with an empty user name.' },
  PASSWORD_MISSING: { status: 401, template: 'password cannot be null', about: 'Credentials with an empty password.' },
  LOGIN_FAILED: {
    status: 401,
    template: 'Authentication failed. Please check your username/password',
    about: 'Unknown tenant, unknown user or wrong password (one answer for all three).',
  },
  SESSION_ENDED: {
    status: 401,
    template: 'The session has ended: its user, password, role or tenant changed',
    about: 'A session cookie whose user, password, role or tenant changed since it was made.',
  },
  SESSION_NEEDS_CREDENTIALS: {
    status: 401,
    template: 'A session needs credentials',
    about: 'GET /session called with a session cookie instead of credentials.',
  },
  PERMISSION_DENIED: {
    status: 403,
    template: 'The user does not have required permissions to perform this operation',
    about: 'The caller may read but not change this (not an administrator, or not of the super tenant).',
  },
  SUPER_ADMIN_ONLY: {
    status: 403,
    template: 'Only an administrator of the super tenant may use this endpoint',
    about: "An endpoint reserved to the super tenant's administrators.",
  },
  TOO_MANY_LOGINS: {
    status: 429,
    template: 'Too many failed logins: try again in {seconds} s',
    about: 'Too many failed logins of this user name or client address (STRATO_LOGIN_*); Retry-After says when to retry.',
  },

  // ---- 404
  ARTIFACT_NOT_FOUND: {
    status: 404,
    template: '{label} not found: [{tag}] {id}',
    about: "No artifact of this kind and id (for the caller's tenant).",
  },
  APPLICATION_NOT_FOUND: { status: 404, template: 'Application not found: [application-id] {id}', about: 'Deploy, undeploy, runtime: no such application.' },
  APPLICATION_POLICY_NOT_FOUND: {
    status: 404,
    template: 'Application policy not found: [application-policy] {id}',
    about: 'Deploy with an application policy that does not exist.',
  },
  APPLICATION_RUNTIME_NOT_FOUND: {
    status: 404,
    template: 'Application runtime not found: [application-id] {id}',
    about: 'The application is not deployed.',
  },
  CLUSTER_NOT_FOUND: { status: 404, template: 'Cluster not found: [cluster-id] {id}', about: "No cluster of a deployed application of the caller's tenant." },
  NETWORK_PARTITIONS_NOT_FOUND: {
    status: 404,
    template: 'No network partitions found in the application: [application-id] {id}',
    about: "The application's deployment policies name no network partition.",
  },
  CARTRIDGE_FILTER_NO_MATCH: { status: 404, template: 'No cartridges found for this filter', about: 'The cartridge does not pass the filter.' },
  KUBERNETES_HOST_NOT_FOUND: { status: 404, template: 'Kubernetes host not found: [kub-host] {id}', about: 'No Kubernetes host of this id.' },
  TENANT_NOT_FOUND: { status: 404, template: 'Tenant not found: [tenant] {domain}', about: 'No tenant of this domain.' },
  USER_NOT_FOUND: { status: 404, template: 'User not found: [user] {user}', about: 'Update of a user that does not exist.' },
  USER_DOES_NOT_EXIST: { status: 404, template: 'Requested user {user} does not exist', about: 'Removal of a user that does not exist.' },

  // ---- 406, 409
  TENANT_REMOVAL_UNSUPPORTED: {
    status: 406,
    template: 'Please use the tenant deactivate method',
    about: 'DELETE /tenants/{domain}: tenants are deactivated, never removed.',
  },
  ARTIFACT_EXISTS: { status: 409, template: '{Kind} already exists: [{tag}] {id}', about: 'Add of an artifact whose id is taken.' },
  ARTIFACT_IN_USE: {
    status: 409,
    template: 'Cannot remove {label} {id}: it is used by {what} {name}',
    about: 'Removal of an artifact another one refers to.',
  },
  GROUP_IN_USE: {
    status: 409,
    template: 'Cannot update cartridge group {group}: it is used by application {application}',
    about: 'Update of a cartridge group an application uses.',
  },
  APPLICATION_STRUCTURE_CHANGED: {
    status: 409,
    template: 'Application is inconsistent: the updated application {id} must keep the structure of the existing one, but group alias {alias} is missing',
    about: 'Update of a deployed application that drops a group.',
  },
  APPLICATION_NOT_DELETABLE: {
    status: 409,
    template: 'Could not delete since application is not in CREATED state : [application] {id} [current-status] {status}',
    about: 'Removal of an application that is deployed.',
  },
  APPLICATION_ALREADY_DEPLOYED: {
    status: 409,
    template: 'Application policy already deployed: [application-id] {id}',
    about: 'Deploy of a deployed application.',
  },
  APPLICATION_NOT_CREATED: {
    status: 409,
    template: 'Application is not in CREATED state: [application-id] {id} [current-status] {status}',
    about: 'Deploy of an application that is being undeployed.',
  },
  APPLICATION_NOT_DEPLOYED: {
    status: 409,
    template: 'Could not undeploy since application is not in DEPLOYED status [application-id] {id} [current status] CREATED',
    about: 'Undeploy of an application that is not deployed.',
  },
  TENANT_EXISTS: { status: 409, template: 'Tenant already exists: [tenant] {domain}', about: 'Add of a tenant whose domain is taken.' },
  USER_EXISTS: { status: 409, template: 'User already exists: [user] {user}', about: 'Add of a user whose name is taken.' },
  USER_REMOVES_ITSELF: { status: 409, template: 'User {user} cannot remove itself', about: 'A user asked to remove itself.' },

  // ---- 5xx
  INTERNAL_ERROR: { status: 500, template: 'Internal server error', about: 'A bug: logged with its stack, answered without details.' },
  REGISTRY_BUSY: {
    status: 503,
    template: 'The registry is busy: the change could not start within {ms} ms and was not made; try again',
    about: 'A write waited longer than STRATO_REQUEST_TIMEOUT for the registry lock; nothing changed.',
  },
  CONTROL_PLANE_TIMEOUT: {
    status: 503,
    template: '{operation} was recorded, but the control plane did not confirm it within {ms} ms; it goes on: read the application back',
    about: 'Deploy or undeploy was recorded but not confirmed within STRATO_REQUEST_TIMEOUT; it goes on.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The names of the `{name}` parameters of a template. */
type Placeholders<T extends string> = T extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;

/** The parameters an error of code C is built with: one per `{name}` of its template. */
export type ErrorParams<C extends ErrorCode> = { readonly [K in Placeholders<(typeof ERROR_CATALOGUE)[C]['template']>]: string | number };

/** The parameters as an argument list: none for a template without parameters. */
export type ErrorParamsArg<C extends ErrorCode> = [Placeholders<(typeof ERROR_CATALOGUE)[C]['template']>] extends [never]
  ? [params?: ErrorParams<C>]
  : [params: ErrorParams<C>];

/** Every code of the catalogue, in its order. */
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** The template of a code with its parameters filled in (unbounded; see boundedMessage). */
export function fillTemplate<C extends ErrorCode>(code: C, params: ErrorParams<C> | undefined): string {
  const values = (params ?? {}) as Record<string, string | number>;
  // the types admit catalogue codes only; this stops plain JavaScript callers too
  if (!Object.hasOwn(ERROR_CATALOGUE, code)) throw new TypeError(`No error code ${String(code)} in the catalogue`);
  return ERROR_CATALOGUE[code].template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : whole));
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** docs/errors.md: the catalogue as a table (generated; `npm run docs:errors` writes it). */
export function errorCatalogueMarkdown(): string {
  const rows = ERROR_CODES.map((code) => {
    const e: CatalogueEntry = ERROR_CATALOGUE[code];
    return `| \`${code}\` | ${e.status} | \`${cell(e.template)}\` | ${cell(e.about)}${e.reserved ? ' (reserved)' : ''} |`;
  });
  return [
    '# strato error codes',
    '',
    '<!-- generated from packages/model/src/error-catalogue.ts by `npm run docs:errors`: do not edit -->',
    '',
    "Every error answer of the REST API is Stratos's envelope with one extra field, the stable code:",
    '`{"status":"error","message":"...","code":"ARTIFACT_NOT_FOUND"}`. The code is also the field `code`',
    'of the log line of the error. A message is its template with `{name}` replaced by a value (a value',
    'longer than 120 characters without blanks is abbreviated, a message is cut at 2000 characters).',
    "Codes are never renamed or reused; the texts around the parameters are Stratos's where its clients match on them.",
    '',
    '| code | status | message template | when |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
