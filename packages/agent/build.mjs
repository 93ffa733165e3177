// Bundles strato-agent (its sources, @strato/messaging's parts it uses, mqtt, pino) into one plain
// JavaScript file: no TypeScript loader and no module resolution at start-up, and only the code
// the agent runs (the git module stays lazily loaded: a separate chunk is not needed, it is small).
// `node packages/agent/build.mjs [outfile]`; `npm run build` calls it too.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** Builds the agent bundle to `outfile` (default packages/agent/dist/strato-agent.mjs). */
export async function buildAgent(outfile = fileURLToPath(new URL('dist/strato-agent.mjs', import.meta.url))) {
  await build({
    entryPoints: [fileURLToPath(new URL('src/main.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    sourcemap: false,
    // CommonJS dependencies bundled into ESM need require()
    banner: { js: "import { createRequire as __agent_createRequire } from 'node:module'; const require = __agent_createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(await buildAgent(process.argv[2]));
}
