// Bundles the server, the workspace packages and their dependencies into dist/strato.mjs, so that
// `npm start` runs one plain JavaScript file: no TypeScript loader and no module resolution on the
// start-up path, and only the parts of libraries strato uses (tree-shaken). Native packages
// (better-sqlite3) and optional native add-ons stay in node_modules. Then the `strato` command line
// (dist/strato-cli.mjs, scripts/cli-bundle.mjs).
import { build } from 'esbuild';
import { bundleCli } from './cli-bundle.mjs';

const root = new URL('../', import.meta.url);
const external = ['better-sqlite3', 'pg-native'];

await build({
  entryPoints: [new URL('packages/server/src/main.ts', root).pathname],
  outfile: new URL('dist/strato.mjs', root).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external,
  // CommonJS dependencies bundled into ESM need require()
  banner: { js: "import { createRequire as __strato_createRequire } from 'node:module'; const require = __strato_createRequire(import.meta.url);" },
  logLevel: 'warning',
});

// strato-agent, the cartridge agent: packages/agent/dist/strato-agent.cjs (what its bin runs)
const { buildAgent } = await import(new URL('packages/agent/build.mjs', root).href);
await buildAgent();

// the `strato` command line, bundled the same way (scripts/cli-bundle.mjs)
await bundleCli();
