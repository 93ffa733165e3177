#!/usr/bin/env node
// strato-agent: runs the bundle dist/strato-agent.cjs (plain JavaScript: about 0.2-0.3 s to an Active
// member and 45 MiB resident, against 1-2 s and 85+ MiB through tsx). In a checkout the bundle is
// (re)built here first when it is missing or older than the sources (esbuild, about 0.4 s, written
// atomically so that agents starting together do not trip over each other); without esbuild the
// TypeScript sources run through tsx.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/strato-agent.cjs', import.meta.url);
const sources = [new URL('../src/', import.meta.url), new URL('../../messaging/src/', import.meta.url)];

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory()) walk(`${path}/`);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of sources) if (existsSync(dir)) walk(fileURLToPath(dir));
  return newest;
}

let run = existsSync(bundle);
if (!run || statSync(bundle).mtimeMs < newestSource()) {
  try {
    // in a child process: esbuild's service does not stay in the agent's memory
    const tmp = `${fileURLToPath(bundle)}.${process.pid}.tmp`;
    execFileSync(process.execPath, [fileURLToPath(new URL('../build.mjs', import.meta.url)), tmp], { stdio: 'ignore' });
    renameSync(tmp, bundle);
    run = true;
  } catch {
    // no esbuild (an installation without dev dependencies): the bundle as it is, else tsx
  }
}
if (run) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/main.ts', import.meta.url).href);
}
