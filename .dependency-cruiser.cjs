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
      name: 'product-does-not-use-testing',
      severity: 'error',
      comment: 'packages/testing is for tests only.',
      from: { path: '^packages/(model|messaging|server|client)/src' },
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
      name: 'server-reconcile-depends-on-nothing',
      severity: 'error',
      comment: 'The work queue (reconcile/) depends on no other part of the server.',
      from: { path: '^packages/server/src/reconcile/' },
      to: { path: '^packages/server/src/(?!reconcile/)' },
    },
    {
      name: 'server-runtime-below-cloud',
      severity: 'error',
      comment: 'The runtime state and its views (runtime/) sit under the cloud controller and the monitors.',
      from: { path: '^packages/server/src/runtime/' },
      to: { path: '^packages/server/src/(cloud|monitors|health|broker)/|^packages/server/src/(control-plane|server|settings)\\.ts$' },
    },
    {
      name: 'server-cloud-below-monitors',
      severity: 'error',
      comment: 'The cloud controller and its drivers (cloud/) do not use the monitors or the control plane.',
      from: { path: '^packages/server/src/cloud/' },
      to: { path: '^packages/server/src/(monitors|health)/|^packages/server/src/(control-plane|server)\\.ts$' },
    },
    {
      name: 'server-monitors-below-control-plane',
      severity: 'error',
      comment: 'The monitors apply decisions; the control plane assembles them.',
      from: { path: '^packages/server/src/(monitors|health)/' },
      to: { path: '^packages/server/src/(control-plane|server)\\.ts$' },
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
