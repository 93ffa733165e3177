/**
 * The import graph strato keeps (see README "Layout"): packages depend one way, no cycles.
 * `npm run lint:imports` checks it; CI runs it.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle between modules: the layout says imports run one way.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'model-is-pure',
      severity: 'error',
      comment: 'packages/model is the pure core: no other workspace package, no I/O module.',
      from: { path: '^packages/model/src' },
      to: { path: ['^packages/(messaging|server|client|testing)/', '^node:(fs|net|http|https|child_process|dgram|tls)$', '^(fs|net|http|https|child_process|dgram|tls)$'] },
    },
    {
      name: 'messaging-below-server',
      severity: 'error',
      comment: 'packages/messaging is used by the server and the agent; it uses no other workspace package.',
      from: { path: '^packages/messaging/src' },
      to: { path: '^packages/(model|server|client|testing)/' },
    },
    {
      name: 'client-uses-model-only',
      severity: 'error',
      comment: 'packages/client talks HTTP to a server; it may use the model types, nothing of the server.',
      from: { path: '^packages/client/src' },
      to: { path: '^packages/(messaging|server|testing)/' },
    },
    {
      name: 'agent-uses-messaging-and-model-only',
      severity: 'error',
      comment: 'packages/agent (the cartridge agent) runs in members: it may use @strato/messaging and @strato/model, nothing of the server.',
      from: { path: '^packages/agent/src' },
      to: { path: '^packages/(server|client|testing)/' },
    },
    {
      name: 'product-does-not-use-testing',
      severity: 'error',
      comment: 'packages/testing is for tests only.',
      from: { path: '^packages/(model|messaging|server|client|agent)/src' },
      to: { path: '^packages/testing/' },
    },
    {
      name: 'server-store-is-the-bottom',
      severity: 'error',
      comment: 'The store (SQLite, PostgreSQL) depends on no other part of the server.',
      from: { path: '^packages/server/src/store/' },
      to: { path: '^packages/server/src/(?!store/)' },
    },
    {
      name: 'server-services-depend-on-nothing',
      severity: 'error',
      comment: 'Clock and scheduler implementations depend on no other part of the server.',
      from: { path: '^packages/server/src/services/' },
      to: { path: '^packages/server/src/(?!services/)' },
    },
    {
      name: 'server-tenancy-above-store-only',
      severity: 'error',
      from: { path: '^packages/server/src/tenancy/' },
      to: { path: '^packages/server/src/(?!tenancy/|store/)' },
    },
    {
      name: 'server-registry-above-store-and-tenancy-only',
      severity: 'error',
      from: { path: '^packages/server/src/registry/' },
      to: { path: '^packages/server/src/(?!registry/|store/|tenancy/)' },
    },
    {
      name: 'server-api-is-the-top',
      severity: 'error',
      comment: 'Only the server assembly (server.ts) uses the REST layer.',
      from: { path: '^packages/server/src/(?!api/|server\\.ts$)' },
      to: { path: '^packages/server/src/api/' },
    },
    {
      name: 'src-does-not-use-tests',
      severity: 'error',
      from: { path: '^packages/[^/]+/src' },
      to: { path: '^packages/[^/]+/test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '/fixtures/' },
    includeOnly: '^packages/',
    tsPreCompilationDeps: false,
    combinedDependencies: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'default'], extensions: ['.ts', '.js'] },
  },
};
