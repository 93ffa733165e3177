import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ERROR_CATALOGUE,
  ERROR_CODES,
  error,
  errorCatalogueMarkdown,
  errorMessage,
  isStratoError,
  MAX_QUOTED_LENGTH,
  StratoError,
  type CatalogueEntry,
} from '../src/index.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const entry = (code: string): CatalogueEntry => (ERROR_CATALOGUE as Record<string, CatalogueEntry>)[code];

/** Every TypeScript source of every package (tests excluded). */
function sources(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, d.name);
      if (d.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) out.set(p.slice(ROOT.length), readFileSync(p, 'utf8'));
    }
  };
  for (const pkg of readdirSync(join(ROOT, 'packages'))) walk(join(ROOT, 'packages', pkg, 'src'));
  return out;
}

test('docs/errors.md is the table generated from the catalogue (npm run docs:errors), one row per code', () => {
  const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
  assert.equal(doc, errorCatalogueMarkdown(), 'docs/errors.md is stale: run npm run docs:errors');
  for (const code of ERROR_CODES) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
    assert.ok(row, `${code} is documented`);
    assert.ok(row.includes(`| ${entry(code).status} |`), `${code}: its status is documented`);
  }
});

test('every code is raised somewhere in the sources, or is documented as reserved', () => {
  const all = sources();
  for (const code of ERROR_CODES) {
    const users = [...all].filter(([path, text]) => !path.endsWith('error-catalogue.ts') && text.includes(`'${code}'`)).map(([p]) => p);
    if (entry(code).reserved) assert.deepEqual(users, [], `${code} is reserved, yet used in ${users.join(', ')}`);
    else assert.ok(users.length > 0, `${code} is used nowhere: use it, remove it, or mark it reserved`);
  }
});

test('no source builds an error of its own: StratoError is made from a catalogue code only', () => {
  for (const [path, text] of sources()) {
    if (path.endsWith('errors.ts') || path.endsWith('error-catalogue.ts')) continue;
    assert.doesNotMatch(text, /\b(invalid|notFound|conflict|forbidden|unauthenticated|unavailable)\(`/, `${path} builds an inline error message`);
  }
});

test('each entry: a 4xx or 5xx status, a template with well-formed {parameters}, a description', () => {
  assert.ok(ERROR_CODES.length >= 60);
  for (const code of ERROR_CODES) {
    const e = entry(code);
    assert.match(code, /^[A-Z][A-Z0-9_]*$/);
    assert.ok(e.status >= 400 && e.status < 600, `${code}: ${e.status}`);
    assert.ok(e.about.length > 10, code);
    // braces only around parameter names
    assert.equal(e.template.replace(/\{\w+\}/g, '').match(/[{}]/), null, `${code}: ${e.template}`);
  }
});

test('an error carries its code, the status of its code and its template filled in', () => {
  const e = error('ARTIFACT_NOT_FOUND', { label: 'Cartridge', tag: 'cartridge-type', id: 'php' });
  assert.ok(isStratoError(e) && e instanceof Error);
  assert.equal(e.code, 'ARTIFACT_NOT_FOUND');
  assert.equal(e.statusCode, 404);
  assert.equal(e.message, 'Cartridge not found: [cartridge-type] php');
  const busy = new StratoError('REGISTRY_BUSY', { ms: 30000 });
  assert.equal(busy.statusCode, 503);
  assert.equal(busy.message, 'The registry is busy: the change could not start within 30000 ms and was not made; try again');
  // a value that looks like a parameter is not filled in again
  assert.equal(errorMessage('CLUSTER_NOT_FOUND', { id: '{id}' }), 'Cluster not found: [cluster-id] {id}');
  // the texts Stratos's clients match on
  assert.equal(error('LOGIN_FAILED').message, 'Authentication failed. Please check your username/password');
  assert.equal(error('PERMISSION_DENIED').message, 'The user does not have required permissions to perform this operation');
  assert.equal(
    error('APPLICATION_NOT_DEPLOYED', { id: 'app1' }).message,
    'Could not undeploy since application is not in DEPLOYED status [application-id] app1 [current status] CREATED',
  );
});

test('a parameter is quoted up to the bound: a longer word is abbreviated, saying how long it was', () => {
  const id = 'y'.repeat(MAX_QUOTED_LENGTH + 1);
  assert.equal(error('CLUSTER_NOT_FOUND', { id }).message, `Cluster not found: [cluster-id] ${'y'.repeat(80)}...(${id.length} characters)`);
  const short = 'y'.repeat(MAX_QUOTED_LENGTH);
  assert.equal(error('CLUSTER_NOT_FOUND', { id: short }).message, `Cluster not found: [cluster-id] ${short}`);
});

test('the types admit only catalogue codes, with exactly their parameters', () => {
  // each call below must fail to compile (npm run typecheck checks that they do); never run
  const wrong = () => [
    // @ts-expect-error a missing parameter
    error('CLUSTER_NOT_FOUND', {}),
    // @ts-expect-error parameters the template does not have
    error('CLUSTER_NOT_FOUND', { id: 'c1', extra: 1 }),
    // @ts-expect-error a template with parameters needs them
    error('ARTIFACT_NOT_FOUND'),
  ];
  assert.equal(typeof wrong, 'function');
  // and at run time too (plain JavaScript): no error without a catalogue code
  // @ts-expect-error an unknown code
  assert.throws(() => error('NO_SUCH_CODE', {}), /No error code NO_SUCH_CODE in the catalogue/);
  // @ts-expect-error a message instead of a code
  assert.throws(() => new StratoError('Cartridge not found'), TypeError);
  assert.equal(error('BODY_TOO_LARGE').message, 'Request body is too large');
});
