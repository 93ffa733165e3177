#!/usr/bin/env node
// The `strato` command of the workspace. It runs the bundle `npm start` / `npm run build` writes
// (dist/strato-cli.mjs, fast to start) while that is newer than every source it was built from;
// otherwise the TypeScript sources through tsx's loader, so it never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../../', import.meta.url);
const bundle = fileURLToPath(new URL('dist/strato-cli.mjs', root));

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') || entry.name === 'package.json') newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const pkg of ['cli', 'client', 'model']) {
    const dir = fileURLToPath(new URL(`packages/${pkg}/src`, root));
    if (existsSync(dir)) walk(dir);
  }
  return newest;
}

if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource()) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
