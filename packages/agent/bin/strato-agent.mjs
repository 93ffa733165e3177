#!/usr/bin/env node
// strato-agent: runs the bundle (dist/strato-agent.mjs, made by `npm run build`: plain JavaScript,
// quick to start and small in memory) when it exists, else the TypeScript sources through tsx (dev).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/strato-agent.mjs', import.meta.url);
if (existsSync(bundle)) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/main.ts', import.meta.url).href);
}
