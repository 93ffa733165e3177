// Bundles strato-agent (its sources, @strato/messaging's parts it uses, mqtt, pino) into one plain
// JavaScript file: no TypeScript loader and no module resolution at start-up, and only the code
// the agent runs (the git module stays lazily loaded: a separate chunk is not needed, it is small).
// `node packages/agent/build.mjs [outfile]`; `npm run build` calls it too.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/**
 * The message bus uses only `MqttClient` of mqtt: taking it from mqtt's client module instead of
 * its index leaves out the WebSocket, ALI and WeChat transports and the connect helpers; the
 * browser stand-ins mqtt carries (readable-stream, worker-timers) are replaced by Node's own. A
 * smaller bundle: less to parse and keep in memory.
 */
const STUBS = {
  'mqtt-client-only': "export { default as MqttClient } from 'mqtt/lib/client';",
  'worker-timers':
    'module.exports = { setInterval: globalThis.setInterval, clearInterval: globalThis.clearInterval, setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };',
  'thread-stream': "module.exports = class ThreadStream { constructor() { throw new Error('pino transports are not part of strato-agent'); } };",
  worker_threads: 'module.exports = { isMainThread: true };',
  'lru-cache': "module.exports = { LRUCache: class LRUCache { constructor() { throw new Error('MQTT 5 topic aliases are not part of strato-agent'); } } };",
  assert: 'module.exports = function assert(ok, message) { if (!ok) throw new Error(message); };',
  debug: 'function debug() { const log = () => {}; log.enabled = false; log.extend = debug; return log; } module.exports = debug;',
};

const mqttClientOnly = {
  name: 'mqtt-client-only',
  setup(b) {
    b.onResolve({ filter: /^mqtt$/ }, () => ({ path: 'mqtt-client-only', namespace: 'strato-agent' }));
    // readable-stream is a copy of Node's own streams for browsers: Node's are the same API
    b.onResolve({ filter: /^readable-stream$/ }, () => ({ path: 'node:stream', external: true }));
    // worker-timers serve browsers only (mqtt's get-timer uses them when isBrowser)
    b.onResolve({ filter: /^worker-timers$/ }, () => ({ path: 'worker-timers', namespace: 'strato-agent' }));
    // pino's transports (worker threads) are not used: the agent logs to files in-process
    b.onResolve({ filter: /^thread-stream$/ }, () => ({ path: 'thread-stream', namespace: 'strato-agent' }));
    // mqtt's debug logging (DEBUG=mqttjs*) is off in the agent: no tty module
    b.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'strato-agent' }));
    // lru-cache serves MQTT 5 topic aliases only (the bus speaks MQTT 3.1.1); loading it loads perf_hooks
    b.onResolve({ filter: /^lru-cache$/ }, () => ({ path: 'lru-cache', namespace: 'strato-agent' }));
    // pino asks worker_threads only whether it runs on the main thread; sonic-boom's assert is one check
    b.onResolve({ filter: /^(node:)?worker_threads$/ }, (args) =>
      /[\\/]pino[\\/]/.test(args.importer) ? { path: 'worker_threads', namespace: 'strato-agent' } : undefined,
    );
    b.onResolve({ filter: /^(node:)?assert$/ }, (args) =>
      /[\\/]sonic-boom[\\/]/.test(args.importer) ? { path: 'assert', namespace: 'strato-agent' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'strato-agent' }, (args) => ({
      contents: STUBS[args.path],
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
    }));
  },
};

/** Builds the agent bundle to `outfile` (default packages/agent/dist/strato-agent.cjs). */
export async function buildAgent(outfile = fileURLToPath(new URL('dist/strato-agent.cjs', import.meta.url))) {
  await build({
    entryPoints: [fileURLToPath(new URL('src/main.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    // CommonJS: `require('node:fs')` does not evaluate every export of fs as an ESM import of a
    // builtin does (its `promises` getter loads fs/promises, readline, ...): less memory
    format: 'cjs',
    define: { 'import.meta.url': '__agent_import_meta_url' },
    target: 'node20',
    minify: true,
    sourcemap: false,
    // CommonJS dependencies bundled into ESM need require()
    banner: { js: "const __agent_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
    plugins: [mqttClientOnly],
  });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(await buildAgent(process.argv[2]));
}
