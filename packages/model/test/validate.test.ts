import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalize, StratoError, validate } from '../src/index.ts';
import { accepts, add, application, cartridge, fixtureCatalog, rejects, sub } from './fixtures.ts';

// ---- common: duplicates on add, unknown on update ---------------------------------------------

test('the fixture catalog and its application are valid', () => {
  const c = fixtureCatalog();
  add(c, 'application', application());
  assert.equal(c.applications.size, 1);
});

test('add of an existing id is a 409 naming kind and id', () => {
  const c = fixtureCatalog();
  rejects(c, 'cartridge', cartridge('php'), 409, 'Cartridge already exists: [cartridge-type] php');
  rejects(
    c,
    'networkPartition',
    { id: 'np1', provider: 'mock', partitions: [{ id: 'p' }] },
    409,
    'Network partition already exists: [network-partition-id] np1',
  );
  rejects(c, 'deploymentPolicy', { id: 'dp1', networkPartitions: [] }, 409, 'Deployment policy already exists');
  rejects(c, 'autoscalingPolicy', { id: 'as1' }, 409, 'Autoscaling policy already exists');
  rejects(c, 'applicationPolicy', { id: 'ap1', algorithm: 'all-at-once', networkPartitions: ['np1'] }, 409, 'Application policy already exists');
  rejects(c, 'cartridgeGroup', { name: 'web-group' }, 409, 'Cartridge group already exists: [cartridge-group] web-group');
  add(c, 'application', application());
  rejects(c, 'application', application(), 409, 'Application already exists: [application-id] app');
});

test('update of an unknown id is a 404', () => {
  const c = fixtureCatalog();
  rejects(c, 'cartridge', cartridge('nope'), 404, 'Cartridge not found: [cartridge-type] nope', 'update');
  rejects(c, 'deploymentPolicy', { id: 'x', networkPartitions: [] }, 404, 'Deployment policy not found', 'update');
  rejects(c, 'application', application({ applicationId: 'ghost' }), 404, 'Application not found', 'update');
  accepts(c, 'cartridge', cartridge('php', { category: 'data' }), 'update');
});

test('a blank or over-long id given to validate directly is a 400', () => {
  const c = fixtureCatalog();
  assert.throws(() => validate('autoscalingPolicy', { id: ' ' }, c, 'add'), { statusCode: 400, message: /id is blank/ });
  assert.throws(() => validate('autoscalingPolicy', { id: 'a'.repeat(256) }, c, 'add'), { statusCode: 400, message: /256 characters long: at most 255/ });
  assert.throws(() => validate('cartridge', 'php', c, 'add'), { statusCode: 400, message: /must be a JSON object/ });
});

// ---- network partitions -----------------------------------------------------------------------

test('network partition: at least one partition', () => {
  rejects(fixtureCatalog(), 'networkPartition', { id: 'n', provider: 'mock', partitions: [] }, 400, 'partitions [] must hold at least one partition');
});

test('network partition: the provider must be bound, the message names it and the bound names', () => {
  rejects(
    fixtureCatalog(),
    'networkPartition',
    { id: 'n', provider: 'ec2', partitions: [{ id: 'p' }] },
    400,
    'provider "ec2" is not a bound IaaS provider (bound: mock, kubernetes)',
  );
});

test('network partition: partition ids are unique and not blank', () => {
  rejects(
    fixtureCatalog(),
    'networkPartition',
    { id: 'n', provider: 'mock', partitions: [{ id: 'p' }, { id: 'p' }] },
    400,
    'partitions[].id "p" is defined more than once',
  );
  rejects(fixtureCatalog(), 'networkPartition', { id: 'n', provider: 'mock', partitions: [{ id: ' ' }] }, 400, 'partitions[0].id " " must not be blank');
});

// ---- deployment policies ----------------------------------------------------------------------

const dp = (nps: unknown) => ({ id: 'dpx', networkPartitions: nps });

test('deployment policy: at least one network partition reference', () => {
  rejects(fixtureCatalog(), 'deploymentPolicy', dp([]), 400, 'must hold at least one network partition reference');
});

test('deployment policy: network partitions must exist', () => {
  rejects(
    fixtureCatalog(),
    'deploymentPolicy',
    dp([{ id: 'nope', partitionAlgo: 'round-robin', partitions: [{ id: 'p1' }] }]),
    400,
    'networkPartitions[0].id "nope" is not an existing network partition',
  );
});

test('deployment policy: partition algorithm round-robin or one-after-another', () => {
  rejects(
    fixtureCatalog(),
    'deploymentPolicy',
    dp([{ id: 'np1', partitionAlgo: 'random', partitions: [{ id: 'p1' }] }]),
    400,
    'partitionAlgo "random" must be one of round-robin, one-after-another',
  );
});

test('deployment policy: partitions must exist in that network partition, at least one', () => {
  rejects(
    fixtureCatalog(),
    'deploymentPolicy',
    dp([{ id: 'np2', partitionAlgo: 'round-robin', partitions: [{ id: 'p2' }] }]),
    400,
    'partitions[0].id "p2" is not a partition of network partition np2',
  );
  rejects(
    fixtureCatalog(),
    'deploymentPolicy',
    dp([{ id: 'np2', partitionAlgo: 'round-robin', partitions: [] }]),
    400,
    'must hold at least one partition reference',
  );
});

test('deployment policy: partitionMax >= 0', () => {
  rejects(
    fixtureCatalog(),
    'deploymentPolicy',
    dp([{ id: 'np1', partitionAlgo: 'round-robin', partitions: [{ id: 'p1', partitionMax: -1 }] }]),
    400,
    'partitionMax -1 must be >= 0',
  );
});

test('deployment policy: a network partition referenced twice is rejected', () => {
  const ref = { id: 'np1', partitionAlgo: 'round-robin', partitions: [{ id: 'p1' }] };
  rejects(fixtureCatalog(), 'deploymentPolicy', dp([ref, ref]), 400, 'networkPartitions[].id "np1" is referenced more than once');
});

// ---- autoscaling policies ---------------------------------------------------------------------

test('autoscaling policy: requestsInFlight threshold > 0', () => {
  rejects(
    fixtureCatalog(),
    'autoscalingPolicy',
    { id: 'a', loadThresholds: { requestsInFlight: { threshold: 0 } } },
    400,
    'loadThresholds.requestsInFlight.threshold 0 must be > 0',
  );
});

test('autoscaling policy: memory and load thresholds within 0..100', () => {
  rejects(
    fixtureCatalog(),
    'autoscalingPolicy',
    { id: 'a', loadThresholds: { memoryConsumption: { threshold: 101 } } },
    400,
    'memoryConsumption.threshold 101 must be within 0..100',
  );
  rejects(
    fixtureCatalog(),
    'autoscalingPolicy',
    { id: 'a', loadThresholds: { loadAverage: { threshold: -5 } } },
    400,
    'loadAverage.threshold -5 must be within 0..100',
  );
  accepts(fixtureCatalog(), 'autoscalingPolicy', { id: 'a', loadThresholds: { memoryConsumption: { threshold: '80.5' }, loadAverage: { threshold: 100 } } });
});

// ---- application policies ---------------------------------------------------------------------

test('application policy: algorithm one-after-another or all-at-once', () => {
  rejects(
    fixtureCatalog(),
    'applicationPolicy',
    { id: 'x', algorithm: 'round-robin', networkPartitions: ['np1'] },
    400,
    'algorithm "round-robin" must be one of one-after-another, all-at-once',
  );
});

test('application policy: at least one network partition, each existing', () => {
  rejects(fixtureCatalog(), 'applicationPolicy', { id: 'x', algorithm: 'all-at-once', networkPartitions: [] }, 400, 'must hold at least one network partition');
  rejects(
    fixtureCatalog(),
    'applicationPolicy',
    { id: 'x', algorithm: 'all-at-once', networkPartitions: ['np1', 'np9'] },
    400,
    'networkPartitions[1] "np9" is not an existing network partition',
  );
});

test('application policy: networkPartitionGroups names existing network partitions', () => {
  const policy = (value: string) => ({
    id: 'x',
    algorithm: 'one-after-another',
    networkPartitions: ['np1', 'np2'],
    properties: [{ name: 'networkPartitionGroups', value }],
  });
  accepts(fixtureCatalog(), 'applicationPolicy', policy('np1|np2'));
  accepts(fixtureCatalog(), 'applicationPolicy', policy('np1, np2'));
  rejects(fixtureCatalog(), 'applicationPolicy', policy('np1|np3,np2'), 400, 'names "np3", which is not an existing network partition');
});

// ---- cartridges -------------------------------------------------------------------------------

test('cartridge: category must not be blank', () => {
  rejects(fixtureCatalog(), 'cartridge', cartridge('c', { category: ' ' }), 400, 'Invalid cartridge c: category " " must not be blank');
});

test('cartridge: at least one IaaS provider, each bound', () => {
  rejects(fixtureCatalog(), 'cartridge', cartridge('c', { iaasProvider: [] }), 400, 'iaasProvider [] must hold at least one IaaS provider');
  rejects(
    fixtureCatalog(),
    'cartridge',
    cartridge('c', { iaasProvider: [{ type: 'ec2' }] }),
    400,
    'iaasProvider[0].type "ec2" is not a bound IaaS provider (bound: mock, kubernetes)',
  );
  const c = fixtureCatalog();
  c.iaasProviders.push('ec2');
  accepts(c, 'cartridge', cartridge('c', { iaasProvider: [{ type: 'ec2' }] }));
});

test('cartridge: ports within 1..65535', () => {
  rejects(
    fixtureCatalog(),
    'cartridge',
    cartridge('c', { portMapping: [{ protocol: 'http', port: 0 }] }),
    400,
    'portMapping[0].port 0 must be within 1..65535',
  );
  rejects(
    fixtureCatalog(),
    'cartridge',
    cartridge('c', { portMapping: [{ protocol: 'http', port: 80, proxyPort: 70000 }] }),
    400,
    'portMapping[0].proxyPort 70000 must be within 0..65535',
  );
  rejects(
    fixtureCatalog(),
    'cartridge',
    cartridge('c', { portMapping: [{ protocol: 'http', port: 80, kubernetesPortType: 'LoadBalancer' }] }),
    400,
    'kubernetesPortType "LoadBalancer" must be one of NodePort, ClusterIP',
  );
});

test('cartridge: portMapping must be present', () => {
  const { portMapping: _, ...rest } = cartridge('c');
  assert.throws(() => normalize('cartridge', rest), { statusCode: 400, message: 'cartridge.portMapping is required' });
});

// ---- cartridge groups -------------------------------------------------------------------------

test('cartridge group: duplicate cartridges in one group', () => {
  rejects(fixtureCatalog(), 'cartridgeGroup', { name: 'g', cartridges: ['php', 'php'] }, 400, 'duplicate cartridges defined: php');
  rejects(
    fixtureCatalog(),
    'cartridgeGroup',
    { name: 'g', groups: [{ name: 'n', cartridges: ['php', 'php'] }] },
    400,
    'cartridgeGroup.groups[0].cartridges: duplicate cartridges defined: php',
  );
});

test('cartridge group: duplicate sibling groups', () => {
  rejects(fixtureCatalog(), 'cartridgeGroup', { name: 'g', groups: [{ name: 'n' }, { name: 'n' }] }, 400, 'duplicate groups defined: n');
});

test('cartridge group: a nested group named like an ancestor is cyclic', () => {
  rejects(fixtureCatalog(), 'cartridgeGroup', { name: 'g', groups: [{ name: 'n', groups: [{ name: 'g' }] }] }, 400, 'cyclic group behaviour identified: g');
});

test('cartridge group: cartridge types exist at any depth', () => {
  rejects(
    fixtureCatalog(),
    'cartridgeGroup',
    { name: 'g', groups: [{ name: 'n', groups: [{ name: 'm', cartridges: ['nope'] }] }] },
    400,
    'Could not find cartridge: [cartridge-type] nope',
  );
});

test('cartridge group: termination behaviour must be allowed', () => {
  rejects(
    fixtureCatalog(),
    'cartridgeGroup',
    { name: 'g', dependencies: { terminationBehaviour: 'terminate-some' } },
    400,
    'Invalid Termination Behaviour specified: [ terminate-some ]',
  );
});

test('cartridge group: startupOrders and scalingDependents are prefixed by cartridge. or group.', () => {
  rejects(
    fixtureCatalog(),
    'cartridgeGroup',
    { name: 'g', dependencies: { startupOrders: [{ aliases: ['php', 'cartridge.x'] }] } },
    400,
    `dependencies.startupOrders entry "php" must be prefixed by either 'cartridge.' or 'group.'`,
  );
  rejects(
    fixtureCatalog(),
    'cartridgeGroup',
    { name: 'g', dependencies: { scalingDependents: [{ aliases: ['cartridge.x, y'] }] } },
    400,
    `dependencies.scalingDependents entry "y"`,
  );
});

test('cartridge group: startup orders forming a cycle are rejected naming the cycle', () => {
  rejects(
    fixtureCatalog(),
    'cartridgeGroup',
    { name: 'g', dependencies: { startupOrders: [{ aliases: ['cartridge.a', 'cartridge.b'] }, { aliases: ['cartridge.b', 'cartridge.a'] }] } },
    400,
    'startupOrders of [cartridge-group] g form a cycle: cartridge.a -> cartridge.b -> cartridge.a',
  );
});

test('cartridge group: update of a group used by an application is a 409', () => {
  const c = fixtureCatalog();
  add(c, 'application', application());
  rejects(
    c,
    'cartridgeGroup',
    { name: 'web-group', cartridges: ['php'] },
    409,
    'Cannot update cartridge group web-group: it is used by application app',
    'update',
  );
});

// ---- applications -----------------------------------------------------------------------------

test('application: alias pattern for cartridge aliases', () => {
  rejects(
    fixtureCatalog(),
    'application',
    application({ components: { cartridges: [sub('tomcat', 'My_TC')] } }),
    400,
    'components.cartridges[0].subscribableInfo.alias "My_TC" must match ([a-z0-9]+([-][a-z0-9])*)+',
  );
  rejects(fixtureCatalog(), 'application', application({ components: { cartridges: [sub('tomcat', 'tc--1')] } }), 400, 'must match');
  rejects(fixtureCatalog(), 'application', application({ components: { cartridges: [sub('tomcat', 'tc-')] } }), 400, 'must match');
  accepts(fixtureCatalog(), 'application', application({ components: { cartridges: [sub('tomcat', 'c1-1x0-sample-test')] } }));
});

test('application: the alias pattern check is linear on long invalid aliases', () => {
  const start = Date.now();
  rejects(fixtureCatalog(), 'application', application({ components: { cartridges: [sub('tomcat', `${'a'.repeat(5000)}!`)] } }), 400, 'must match');
  assert.ok(Date.now() - start < 1000);
});

test('application: aliases are unique across the application, group aliases included', () => {
  rejects(
    fixtureCatalog(),
    'application',
    application({ components: { cartridges: [sub('tomcat', 'a'), sub('php', 'a')] } }),
    400,
    'components.cartridges[1].subscribableInfo.alias "a" is already used at components.cartridges[0].subscribableInfo.alias',
  );
  const app = application();
  app.components.cartridges[0].subscribableInfo.alias = 'web-g';
  app.components.dependencies.startupOrders = [];
  rejects(fixtureCatalog(), 'application', app, 400, 'alias "web-g" is already used at components.groups[0].alias');
  const twice = application();
  twice.components.groups[0].groups[0].alias = 'web-g';
  rejects(fixtureCatalog(), 'application', twice, 400, 'components.groups[0].groups[0].alias "web-g" is already used');
});

test('application: the autoscaling policy must exist', () => {
  rejects(
    fixtureCatalog(),
    'application',
    application({ components: { cartridges: [sub('tomcat', 'tc', { autoscalingPolicy: 'nope' })] } }),
    400,
    'autoscalingPolicy "nope" is not an existing autoscaling policy',
  );
});

test('application: deployment policy inheritance', () => {
  // a cartridge under a group with a policy must not declare one
  const declared = application();
  (declared.components.groups[0].cartridges[0].subscribableInfo as Record<string, unknown>).deploymentPolicy = 'dp1';
  rejects(fixtureCatalog(), 'application', declared, 400, 'a group deployment policy already applies to cartridge subscription web');
  // a sub-group under a group with a policy must not declare one
  const subGroup = application();
  (subGroup.components.groups[0].groups[0] as Record<string, unknown>).deploymentPolicy = 'dp1';
  rejects(fixtureCatalog(), 'application', subGroup, 400, 'parent group has a deployment policy (group alias db)');
  // a cartridge without any policy
  const none = application();
  delete (none.components.groups[0] as Record<string, unknown>).deploymentPolicy;
  rejects(fixtureCatalog(), 'application', none, 400, 'cartridge web has not inherited any deployment policy');
  rejects(
    fixtureCatalog(),
    'application',
    application({ components: { cartridges: [sub('tomcat', 'tc', { deploymentPolicy: undefined })] } }),
    400,
    'components.cartridges[0].subscribableInfo.deploymentPolicy',
  );
});

test('application: referenced deployment policies must exist (strato checks at add time)', () => {
  rejects(
    fixtureCatalog(),
    'application',
    application({ components: { cartridges: [sub('tomcat', 'tc', { deploymentPolicy: 'dp9' })] } }),
    400,
    'deploymentPolicy "dp9" is not an existing deployment policy',
  );
  const app = application();
  app.components.groups[0].deploymentPolicy = 'dp9';
  rejects(fixtureCatalog(), 'application', app, 400, 'components.groups[0].deploymentPolicy "dp9" is not an existing deployment policy');
});

test('application: cartridge types must exist', () => {
  rejects(
    fixtureCatalog(),
    'application',
    application({ components: { cartridges: [sub('nope', 'tc')] } }),
    400,
    'components.cartridges[0].type "nope" is not an existing cartridge',
  );
});

test('application: groups must be registered top-level groups', () => {
  const app = application();
  app.components.groups[0].name = 'db';
  rejects(fixtureCatalog(), 'application', app, 400, 'Cartridge group not found group-name: db');
});

test('application: group startup orders name direct children of the group in the application', () => {
  const app = application();
  app.components.groups[0].cartridges[0].subscribableInfo.alias = 'web2';
  rejects(
    fixtureCatalog(),
    'application',
    app,
    400,
    'The startup-order defined in the [group] web-group is not correct. [startup-order-alias] cartridge.web is not there in the application.',
  );
});

test('application: every cartridge type of the group definition is subscribed in the group', () => {
  const app = application();
  app.components.groups[0].groups[0].cartridges = [];
  rejects(
    fixtureCatalog(),
    'application',
    app,
    400,
    'Cartridge mysql not defined in cartridge group: [application] app [cartridge-group-name] web-group [cartridge-group-alias] web-g',
  );
});

test('application: app-level startup orders name top-level aliases, with the exact Stratos message', () => {
  const app = application();
  app.components.dependencies.startupOrders = [{ aliases: ['cartridge.web', 'cartridge.tc'] }];
  rejects(
    fixtureCatalog(),
    'application',
    app,
    400,
    /^The startup-order defined in the \[application\] app is not correct\. \[startup-order-alias\] cartridge\.web is not there in the application\.$/,
  );
  app.components.dependencies.startupOrders = [{ aliases: ['tc'] }];
  rejects(fixtureCatalog(), 'application', app, 400, "should start with 'cartridge.' or 'group.'");
  app.components.dependencies.startupOrders = [{ aliases: ['group.tc'] }];
  rejects(fixtureCatalog(), 'application', app, 400, '[startup-order-alias] group.tc is not there');
});

test('application: termination behaviour must be allowed', () => {
  const app = application();
  (app.components.dependencies as Record<string, unknown>).terminationBehaviour = 'terminate-everything';
  rejects(fixtureCatalog(), 'application', app, 400, 'Invalid termination behaviour found: [ terminate-everything ]');
});

test('application: cartridgeMin <= cartridgeMax', () => {
  rejects(
    fixtureCatalog(),
    'application',
    application({ components: { cartridges: [{ ...sub('tomcat', 'tc'), cartridgeMin: 3, cartridgeMax: 2 }] } }),
    400,
    'components.cartridges[0].cartridgeMin 3 must be <= cartridgeMax (2)',
  );
});

test('application: groupMinInstances <= groupMaxInstances', () => {
  const app = application();
  app.components.groups[0].groupMinInstances = 5;
  rejects(fixtureCatalog(), 'application', app, 400, 'components.groups[0].groupMinInstances 5 must be <= groupMaxInstances (1)');
});

test('application: a cycle in app-level startup orders is rejected naming the cycle', () => {
  const app = application();
  app.components.dependencies.startupOrders = [{ aliases: ['cartridge.tc', 'group.web-g'] }, { aliases: ['group.web-g', 'cartridge.tc'] }];
  rejects(fixtureCatalog(), 'application', app, 400, 'startupOrders of [application] app form a cycle: cartridge.tc -> group.web-g -> cartridge.tc');
  app.components.dependencies.startupOrders = [{ aliases: ['cartridge.tc', 'cartridge.tc'] }];
  rejects(fixtureCatalog(), 'application', app, 400, 'form a cycle: cartridge.tc -> cartridge.tc');
});

test('application: a cycle in a used group definition is rejected naming the cycle', () => {
  const c = fixtureCatalog();
  // stored without validation, as an older definition could be
  c.cartridgeGroups.set('web-group', {
    ...c.cartridgeGroups.get('web-group')!,
    dependencies: { startupOrders: [{ aliases: ['group.db', 'cartridge.web', 'group.db'] }] },
  });
  rejects(c, 'application', application(), 400, 'startupOrders of [group] web-group form a cycle: group.db -> cartridge.web -> group.db');
});

test('application: update must keep every existing group alias (409)', () => {
  const c = fixtureCatalog();
  add(c, 'application', application());
  accepts(c, 'application', application({ alias: 'renamed' }), 'update');
  // the stored application had one more group (stored directly, as an earlier definition)
  const stored = normalize('application', application());
  stored.components.groups!.push({ name: 'web-group', alias: 'old-g' });
  c.applications.set('app', { ...stored, status: 'Deployed' });
  const smaller = application();
  rejects(c, 'application', smaller, 409, 'group alias old-g is missing', 'update');
});

// ---- kubernetes, tenants, users ---------------------------------------------------------------

const k8s = (portRange: unknown, extra: Record<string, unknown> = {}) => ({ clusterId: 'k1', kubernetesMaster: { hostId: 'master' }, portRange, ...extra });

test('kubernetes cluster: master present', () => {
  assert.throws(() => normalize('kubernetesCluster', { clusterId: 'k1', portRange: { lower: 1, upper: 2 } }), {
    statusCode: 400,
    message: 'kubernetesCluster.kubernetesMaster is required',
  });
});

test('kubernetes cluster: port range lower <= upper within 1..65535', () => {
  rejects(fixtureCatalog(), 'kubernetesCluster', k8s({ lower: 32767, upper: 30000 }), 400, 'portRange {"lower":32767,"upper":30000} must have lower <= upper');
  rejects(fixtureCatalog(), 'kubernetesCluster', k8s({ lower: 0, upper: 30000 }), 400, 'portRange.lower 0 must be within 1..65535');
  rejects(fixtureCatalog(), 'kubernetesCluster', k8s({ lower: 1, upper: 70000 }), 400, 'portRange.upper 70000 must be within 1..65535');
  rejects(
    fixtureCatalog(),
    'kubernetesCluster',
    k8s({ lower: 1, upper: 2 }, { kubernetesHosts: [{ hostId: 'master' }] }),
    400,
    'kubernetesHosts[].hostId "master" is used by more than one host',
  );
  accepts(fixtureCatalog(), 'kubernetesCluster', k8s({ lower: '30000', upper: '32767' }));
});

test('tenant: email and domain syntax', () => {
  const t = (tenantDomain: string, email: string) => ({ tenantDomain, email, admin: 'admin', adminPassword: 'pw' });
  accepts(fixtureCatalog(), 'tenant', t('example.com', 'admin@example.com'));
  rejects(fixtureCatalog(), 'tenant', t('example.com', 'not-an-email'), 400, 'Invalid email: [email] not-an-email');
  rejects(fixtureCatalog(), 'tenant', t('bad_domain', 'a@b.org'), 400, 'Invalid domain: [domain] bad_domain');
  rejects(fixtureCatalog(), 'tenant', t('-x.com', 'a@b.org'), 400, 'Invalid domain');
});

test('user: credential required on add, not on update', () => {
  rejects(fixtureCatalog(), 'user', { userName: 'bob' }, 400, 'Invalid user bob: credential "" must not be blank');
  accepts(fixtureCatalog(), 'user', { userName: 'bob' }, 'update');
  accepts(fixtureCatalog(), 'user', { userName: 'bob', credential: 'secret', role: 'admin' });
  assert.throws(() => normalize('user', { userName: '' }), { statusCode: 400, message: 'user.userName must not be blank' });
});

test('an application whose startup orders give a child two different predecessors is refused when it is added', () => {
  const catalog = fixtureCatalog();
  const app = normalize('application', {
    applicationId: 'two-parents',
    alias: 'two-parents',
    components: {
      cartridges: ['a', 'b', 'c'].map((alias) => ({
        type: 'php',
        cartridgeMin: 1,
        cartridgeMax: 1,
        subscribableInfo: { alias, autoscalingPolicy: 'as1', deploymentPolicy: 'dp1' },
      })),
      dependencies: { startupOrders: [{ aliases: ['cartridge.a', 'cartridge.c'] }, { aliases: ['cartridge.b', 'cartridge.c'] }] },
    },
  });
  assert.throws(
    () => validate('application', app, catalog, 'add'),
    (e: unknown) =>
      e instanceof StratoError && e.statusCode === 400 && /c is defined more than once in another startup order \(after a and after b\)/.test(e.message),
  );
});
