import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_CATALOGUE, parseJson, type ErrorCode } from '@strato/model';
import { samplesMissing, sampleText } from '@strato/testing';
import { ADMIN, basic, startTestServer, type TestServer } from '@strato/testing/server';

/**
 * A table of rejected requests, one per rule: each answers its status with the error envelope, its
 * stable code (the catalogue's, with the catalogue's status) and a message naming the problem, and leaves every collection exactly as it was (nothing half-written).
 */

type Json = any;

/**
 * A sample artifact, parsed (trailing commas tolerated) and deep-copied, then changed by edit (an
 * empty object when the samples are missing: the tests are skipped then).
 */
function sample(file: string, edit: (a: Json) => void = () => {}): Json {
  if (samplesMissing) return {};
  const a = structuredClone(parseJson(sampleText(file))) as Json;
  edit(a);
  return a;
}

const CARTRIDGE = 'cartridges/mock/php.json';
const GROUP = 'cartridge-groups/esb-php-group.json';
const NESTED_GROUP = 'cartridge-groups/group1.json';
const APP = 'applications/simple/single-group-app/artifacts/application.json';
const SIMPLE_APP = 'applications/simple/single-cartridge-app/artifacts/application.json';
const AS_POLICY = 'autoscaling-policies/autoscaling-policy-1.json';
const DEP_POLICY = 'deployment-policies/deployment-policy-1.json';
const APP_POLICY = 'application-policies/application-policy-1.json';
const NETWORK_PARTITION = 'network-partitions/mock/network-partition-1.json';
const K8S = 'kubernetes-clusters/kubernetes-cluster-1.json';

/** What the store holds before the table runs: the single-group-app sample, a kubernetes cluster, a tenant. */
const SEED: [string, string][] = [
  ['autoscalingPolicies', AS_POLICY],
  ['networkPartitions', NETWORK_PARTITION],
  ['networkPartitions', 'network-partitions/mock/network-partition-2.json'],
  ['deploymentPolicies', DEP_POLICY],
  ['deploymentPolicies', 'deployment-policies/deployment-policy-2.json'],
  ['cartridges', 'cartridges/mock/tomcat.json'],
  ['cartridges', 'cartridges/mock/esb.json'],
  ['cartridges', CARTRIDGE],
  ['cartridges', 'cartridges/mock/c1.json'],
  ['cartridges', 'cartridges/mock/c2.json'],
  ['cartridges', 'cartridges/mock/c3.json'],
  ['cartridgeGroups', GROUP],
  ['applicationPolicies', APP_POLICY],
  ['applications', APP],
  ['kubernetesClusters', K8S],
];

const TENANT = {
  tenantDomain: 'acme.com',
  admin: 'bob',
  adminPassword: 'bob-secret',
  firstName: 'Bob',
  lastName: 'Builder',
  email: 'bob@acme.com',
};

/** Every list endpoint; their raw answers must not change when a request is rejected. */
const LISTS = [
  'cartridges',
  'cartridgeGroups',
  'applications',
  'autoscalingPolicies',
  'deploymentPolicies',
  'applicationPolicies',
  'networkPartitions',
  'kubernetesClusters',
  'tenants',
  'users',
];

interface Case {
  name: string;
  method: string;
  path: string;
  /** an object is sent as JSON; a string as it is */
  body?: unknown;
  auth?: string | null;
  headers?: Record<string, string>;
  status: number;
  /** the stable code of the envelope (docs/errors.md) */
  code: ErrorCode;
  /** each must occur in the message */
  says: (string | RegExp)[];
}

const startupOrder = (...aliases: string[][]) => aliases.map((a) => ({ aliases: a }));

const CASES: Case[] = [
  // ---- cartridges
  {
    name: 'cartridge without type',
    method: 'POST',
    path: '/api/cartridges',
    body: sample(CARTRIDGE, (c) => delete c.type),
    status: 400,
    code: 'FIELD_REQUIRED',
    says: ['type'],
  },
  {
    name: 'cartridge without category',
    method: 'POST',
    path: '/api/cartridges',
    body: sample(CARTRIDGE, (c) => {
      c.type = 'php2';
      delete c.category;
    }),
    status: 400,
    code: 'FIELD_REQUIRED',
    says: ['category'],
  },
  {
    name: 'cartridge port not a number',
    method: 'POST',
    path: '/api/cartridges',
    body: sample(CARTRIDGE, (c) => {
      c.type = 'php2';
      c.portMapping[0].port = 'eighty';
    }),
    status: 400,
    code: 'FIELD_TYPE',
    says: ['port', 'eighty'],
  },
  {
    name: 'cartridge multiTenant not a boolean',
    method: 'POST',
    path: '/api/cartridges',
    body: sample(CARTRIDGE, (c) => {
      c.type = 'php2';
      c.multiTenant = 'sometimes';
    }),
    status: 400,
    code: 'FIELD_TYPE',
    says: ['multiTenant', 'sometimes'],
  },
  {
    name: 'cartridge with unbound IaaS provider',
    method: 'POST',
    path: '/api/cartridges',
    body: sample(CARTRIDGE, (c) => {
      c.type = 'php2';
      c.iaasProvider[0].type = 'ec2-nowhere';
    }),
    status: 400,
    code: 'REFERENCE_UNRESOLVED',
    says: ['ec2-nowhere', 'mock'],
  },
  {
    name: 'cartridge without iaasProvider',
    method: 'POST',
    path: '/api/cartridges',
    body: sample(CARTRIDGE, (c) => {
      c.type = 'php2';
      delete c.iaasProvider;
    }),
    status: 400,
    code: 'FIELD_REQUIRED',
    says: ['iaasProvider'],
  },
  {
    name: 'cartridge duplicate type',
    method: 'POST',
    path: '/api/cartridges',
    body: sample(CARTRIDGE),
    status: 409,
    code: 'ARTIFACT_EXISTS',
    says: ['php', /already exists/i],
  },
  {
    name: 'cartridge update of unknown type',
    method: 'PUT',
    path: '/api/cartridges',
    body: sample(CARTRIDGE, (c) => (c.type = 'nope')),
    status: 404,
    code: 'ARTIFACT_NOT_FOUND',
    says: ['nope'],
  },
  { name: 'cartridge used by a group', method: 'DELETE', path: '/api/cartridges/php', status: 409, code: 'ARTIFACT_IN_USE', says: ['php', 'esb-php-group'] },
  {
    name: 'cartridge used by an application',
    method: 'DELETE',
    path: '/api/cartridges/tomcat',
    status: 409,
    code: 'ARTIFACT_IN_USE',
    says: ['tomcat', 'cartridge-group-app'],
  },
  { name: 'cartridge unknown', method: 'GET', path: '/api/cartridges/nope', status: 404, code: 'ARTIFACT_NOT_FOUND', says: ['nope'] },
  {
    name: 'cartridge type too long',
    method: 'POST',
    path: '/api/cartridges',
    body: sample(CARTRIDGE, (c) => (c.type = 'x'.repeat(256))),
    status: 400,
    code: 'ID_TOO_LONG',
    says: ['256 characters', 'at most 255'],
  },
  {
    name: 'tenant admin name too long',
    method: 'POST',
    path: '/api/tenants',
    body: { ...TENANT, tenantDomain: 'long.com', admin: 'b'.repeat(300) },
    status: 400,
    code: 'TENANT_ADMIN_TOO_LONG',
    says: ['tenant.admin', 'at most 255'],
  },
  { name: 'cartridge delete unknown', method: 'DELETE', path: '/api/cartridges/nope', status: 404, code: 'ARTIFACT_NOT_FOUND', says: ['nope'] },

  // ---- cartridge groups
  {
    name: 'group without name',
    method: 'POST',
    path: '/api/cartridgeGroups',
    body: sample(GROUP, (g) => delete g.name),
    status: 400,
    code: 'FIELD_REQUIRED',
    says: ['name'],
  },
  {
    name: 'group with unknown cartridge type',
    method: 'POST',
    path: '/api/cartridgeGroups',
    body: sample(GROUP, (g) => {
      g.name = 'g2';
      g.cartridges = ['esb', 'no-such-cartridge'];
    }),
    status: 400,
    code: 'GROUP_CARTRIDGE_UNRESOLVED',
    says: ['no-such-cartridge'],
  },
  {
    name: 'group nested cartridge type unknown',
    method: 'POST',
    path: '/api/cartridgeGroups',
    body: sample(NESTED_GROUP, (g) => (g.groups[0].cartridges = ['c3', 'c9'])),
    status: 400,
    code: 'GROUP_CARTRIDGE_UNRESOLVED',
    says: ['c9', 'groups[0]'],
  },
  {
    name: 'group with cyclic nesting',
    method: 'POST',
    path: '/api/cartridgeGroups',
    body: sample(NESTED_GROUP, (g) => (g.groups[0].groups = [{ name: 'group1', cartridges: ['c1'] }])),
    status: 400,
    code: 'GROUP_CYCLE',
    says: ['group1', /cycl/i],
  },
  {
    name: 'group with cyclic startup order',
    method: 'POST',
    path: '/api/cartridgeGroups',
    body: sample(GROUP, (g) => {
      g.name = 'g2';
      g.dependencies.startupOrders = startupOrder(['cartridge.my-esb', 'cartridge.my-php'], ['cartridge.my-php', 'cartridge.my-esb']);
    }),
    status: 400,
    code: 'STARTUP_ORDER_CYCLE',
    says: ['my-esb', 'my-php', /cycle/i],
  },
  {
    name: 'group startup order without prefix',
    method: 'POST',
    path: '/api/cartridgeGroups',
    body: sample(GROUP, (g) => {
      g.name = 'g2';
      g.dependencies.startupOrders = startupOrder(['my-esb', 'cartridge.my-php']);
    }),
    status: 400,
    code: 'GROUP_DEPENDENCY_PREFIX',
    says: ['my-esb', 'cartridge.'],
  },
  {
    name: 'group with bad termination behaviour',
    method: 'POST',
    path: '/api/cartridgeGroups',
    body: sample(GROUP, (g) => {
      g.name = 'g2';
      g.dependencies.terminationBehaviour = 'terminate-some';
    }),
    status: 400,
    code: 'GROUP_TERMINATION_BEHAVIOUR',
    says: ['terminationBehaviour', 'terminate-some'],
  },
  {
    name: 'group duplicate name',
    method: 'POST',
    path: '/api/cartridgeGroups',
    body: sample(GROUP),
    status: 409,
    code: 'ARTIFACT_EXISTS',
    says: ['esb-php-group'],
  },
  {
    name: 'group used by an application',
    method: 'DELETE',
    path: '/api/cartridgeGroups/esb-php-group',
    status: 409,
    code: 'ARTIFACT_IN_USE',
    says: ['esb-php-group', 'cartridge-group-app'],
  },
  { name: 'group unknown', method: 'GET', path: '/api/cartridgeGroups/nope', status: 404, code: 'ARTIFACT_NOT_FOUND', says: ['nope'] },

  // ---- applications
  {
    name: 'application without applicationId',
    method: 'POST',
    path: '/api/applications',
    body: sample(APP, (a) => delete a.applicationId),
    status: 400,
    code: 'FIELD_REQUIRED',
    says: ['applicationId'],
  },
  {
    name: 'application with unknown cartridge type',
    method: 'POST',
    path: '/api/applications',
    body: sample(APP, (a) => {
      a.applicationId = 'app2';
      a.components.cartridges[0].type = 'no-such-type';
    }),
    status: 400,
    code: 'REFERENCE_UNRESOLVED',
    says: ['no-such-type'],
  },
  {
    name: 'application with unknown group',
    method: 'POST',
    path: '/api/applications',
    body: sample(APP, (a) => {
      a.applicationId = 'app2';
      a.components.groups[0].name = 'no-such-group';
    }),
    status: 400,
    code: 'REFERENCE_UNRESOLVED',
    says: ['no-such-group'],
  },
  {
    name: 'application with unknown autoscaling policy',
    method: 'POST',
    path: '/api/applications',
    body: sample(APP, (a) => {
      a.applicationId = 'app2';
      a.components.cartridges[0].subscribableInfo.autoscalingPolicy = 'as-nope';
    }),
    status: 400,
    code: 'REFERENCE_UNRESOLVED',
    says: ['as-nope'],
  },
  {
    name: 'application with unknown deployment policy',
    method: 'POST',
    path: '/api/applications',
    body: sample(APP, (a) => {
      a.applicationId = 'app2';
      a.components.groups[0].deploymentPolicy = 'dp-nope';
    }),
    status: 400,
    code: 'REFERENCE_UNRESOLVED',
    says: ['dp-nope'],
  },
  {
    name: 'application startup order names a missing alias',
    method: 'POST',
    path: '/api/applications',
    body: sample(APP, (a) => {
      a.applicationId = 'app2';
      a.components.dependencies.startupOrders = startupOrder(['group.my-esb-php-group', 'cartridge.my-ghost']);
    }),
    status: 400,
    code: 'STARTUP_ORDER_ALIAS_UNKNOWN',
    says: ['my-ghost'],
  },
  {
    name: 'application cyclic startup order',
    method: 'POST',
    path: '/api/applications',
    body: sample(APP, (a) => {
      a.applicationId = 'app2';
      a.components.dependencies.startupOrders = startupOrder(
        ['group.my-esb-php-group', 'cartridge.my-tomcat'],
        ['cartridge.my-tomcat', 'group.my-esb-php-group'],
      );
    }),
    status: 400,
    code: 'STARTUP_ORDER_CYCLE',
    says: ['my-tomcat', /cycle/i],
  },
  {
    name: 'application duplicate alias',
    method: 'POST',
    path: '/api/applications',
    body: sample(APP, (a) => {
      a.applicationId = 'app2';
      a.components.cartridges[0].subscribableInfo.alias = 'my-php';
    }),
    status: 400,
    code: 'VALUE_DUPLICATE',
    says: ['my-php'],
  },
  {
    name: 'application cartridgeMin > cartridgeMax',
    method: 'POST',
    path: '/api/applications',
    body: sample(APP, (a) => {
      a.applicationId = 'app2';
      a.components.cartridges[0].cartridgeMin = 5;
      a.components.cartridges[0].cartridgeMax = 2;
    }),
    status: 400,
    code: 'VALUE_RANGE',
    says: ['cartridgeMin', 'cartridgeMax'],
  },
  {
    name: 'application groupMinInstances > groupMaxInstances',
    method: 'POST',
    path: '/api/applications',
    body: sample(APP, (a) => {
      a.applicationId = 'app2';
      a.components.groups[0].groupMinInstances = 3;
      a.components.groups[0].groupMaxInstances = 1;
    }),
    status: 400,
    code: 'VALUE_RANGE',
    says: ['groupMinInstances', 'groupMaxInstances'],
  },
  {
    name: 'application cartridgeMin not a number',
    method: 'POST',
    path: '/api/applications',
    body: sample(APP, (a) => {
      a.applicationId = 'app2';
      a.components.cartridges[0].cartridgeMin = 'lots';
    }),
    status: 400,
    code: 'FIELD_TYPE',
    says: ['cartridgeMin', 'lots'],
  },
  {
    name: 'application alias too long',
    method: 'POST',
    path: '/api/applications',
    body: sample(SIMPLE_APP, (a) => {
      a.components.cartridges[0].subscribableInfo.alias = 'a'.repeat(256);
    }),
    status: 400,
    code: 'VALUE_RANGE',
    says: ['alias', 'at most 255'],
  },
  {
    name: 'application alias breaks the pattern',
    method: 'POST',
    path: '/api/applications',
    body: sample(SIMPLE_APP, (a) => {
      a.components.cartridges[0].subscribableInfo.alias = 'My_PHP';
    }),
    status: 400,
    code: 'VALUE_CHOICE',
    says: ['My_PHP'],
  },
  {
    name: 'application duplicate id',
    method: 'POST',
    path: '/api/applications',
    body: sample(APP),
    status: 409,
    code: 'ARTIFACT_EXISTS',
    says: ['cartridge-group-app'],
  },
  {
    name: 'application update of unknown id',
    method: 'PUT',
    path: '/api/applications',
    body: sample(APP, (a) => (a.applicationId = 'ghost-app')),
    status: 404,
    code: 'ARTIFACT_NOT_FOUND',
    says: ['ghost-app'],
  },
  { name: 'application delete unknown', method: 'DELETE', path: '/api/applications/ghost-app', status: 404, code: 'ARTIFACT_NOT_FOUND', says: ['ghost-app'] },

  // ---- autoscaling policies
  {
    name: 'autoscaling policy without id',
    method: 'POST',
    path: '/api/autoscalingPolicies',
    body: sample(AS_POLICY, (p) => delete p.id),
    status: 400,
    code: 'FIELD_REQUIRED',
    says: ['id'],
  },
  {
    name: 'autoscaling memory threshold above 100',
    method: 'POST',
    path: '/api/autoscalingPolicies',
    body: sample(AS_POLICY, (p) => {
      p.id = 'as2';
      p.loadThresholds.memoryConsumption.threshold = 150;
    }),
    status: 400,
    code: 'VALUE_RANGE',
    says: ['memoryConsumption', '150', '100'],
  },
  {
    name: 'autoscaling requestsInFlight threshold not positive',
    method: 'POST',
    path: '/api/autoscalingPolicies',
    body: sample(AS_POLICY, (p) => {
      p.id = 'as2';
      p.loadThresholds.requestsInFlight.threshold = -5;
    }),
    status: 400,
    code: 'VALUE_RANGE',
    says: ['requestsInFlight', '-5'],
  },
  {
    name: 'autoscaling threshold not a number',
    method: 'POST',
    path: '/api/autoscalingPolicies',
    body: sample(AS_POLICY, (p) => {
      p.id = 'as2';
      p.loadThresholds.loadAverage.threshold = 'high';
    }),
    status: 400,
    code: 'FIELD_TYPE',
    says: ['loadAverage', 'high'],
  },
  {
    name: 'autoscaling policy duplicate id',
    method: 'POST',
    path: '/api/autoscalingPolicies',
    body: sample(AS_POLICY),
    status: 409,
    code: 'ARTIFACT_EXISTS',
    says: ['autoscaling-policy-1'],
  },
  {
    name: 'autoscaling policy used by an application',
    method: 'DELETE',
    path: '/api/autoscalingPolicies/autoscaling-policy-1',
    status: 409,
    code: 'ARTIFACT_IN_USE',
    says: ['autoscaling-policy-1', 'cartridge-group-app'],
  },

  // ---- deployment policies
  {
    name: 'deployment policy with unknown network partition',
    method: 'POST',
    path: '/api/deploymentPolicies',
    body: sample(DEP_POLICY, (p) => {
      p.id = 'dp2';
      p.networkPartitions[0].id = 'np-nope';
    }),
    status: 400,
    code: 'REFERENCE_UNRESOLVED',
    says: ['np-nope'],
  },
  {
    name: 'deployment policy with unknown partition',
    method: 'POST',
    path: '/api/deploymentPolicies',
    body: sample(DEP_POLICY, (p) => {
      p.id = 'dp2';
      p.networkPartitions[0].partitions[0].id = 'partition-nope';
    }),
    status: 400,
    code: 'REFERENCE_UNRESOLVED',
    says: ['partition-nope'],
  },
  {
    name: 'deployment policy with bad partition algorithm',
    method: 'POST',
    path: '/api/deploymentPolicies',
    body: sample(DEP_POLICY, (p) => {
      p.id = 'dp2';
      p.networkPartitions[0].partitionAlgo = 'random';
    }),
    status: 400,
    code: 'VALUE_CHOICE',
    says: ['partitionAlgo', 'random', 'round-robin'],
  },
  {
    name: 'deployment policy partitionMax not a number',
    method: 'POST',
    path: '/api/deploymentPolicies',
    body: sample(DEP_POLICY, (p) => {
      p.id = 'dp2';
      p.networkPartitions[0].partitions[0].partitionMax = { max: 3 };
    }),
    status: 400,
    code: 'FIELD_TYPE',
    says: ['partitionMax'],
  },
  {
    name: 'deployment policy duplicate id',
    method: 'POST',
    path: '/api/deploymentPolicies',
    body: sample(DEP_POLICY),
    status: 409,
    code: 'ARTIFACT_EXISTS',
    says: ['deployment-policy-1'],
  },
  {
    name: 'deployment policy used by an application',
    method: 'DELETE',
    path: '/api/deploymentPolicies/deployment-policy-1',
    status: 409,
    code: 'ARTIFACT_IN_USE',
    says: ['deployment-policy-1', 'cartridge-group-app'],
  },

  // ---- application policies
  {
    name: 'application policy with unknown network partition',
    method: 'POST',
    path: '/api/applicationPolicies',
    body: sample(APP_POLICY, (p) => {
      p.id = 'ap2';
      p.networkPartitions = ['network-partition-1', 'np-nope'];
    }),
    status: 400,
    code: 'REFERENCE_UNRESOLVED',
    says: ['np-nope'],
  },
  {
    name: 'application policy with bad algorithm',
    method: 'POST',
    path: '/api/applicationPolicies',
    body: sample(APP_POLICY, (p) => {
      p.id = 'ap2';
      p.algorithm = 'some-at-once';
    }),
    status: 400,
    code: 'VALUE_CHOICE',
    says: ['some-at-once', 'all-at-once'],
  },
  {
    name: 'application policy networkPartitionGroups names an unknown partition',
    method: 'POST',
    path: '/api/applicationPolicies',
    body: sample(APP_POLICY, (p) => {
      p.id = 'ap2';
      p.properties = [{ name: 'networkPartitionGroups', value: 'network-partition-1|np-ghost' }];
    }),
    status: 400,
    code: 'REFERENCE_UNRESOLVED',
    says: ['np-ghost'],
  },
  {
    name: 'application policy without network partitions',
    method: 'POST',
    path: '/api/applicationPolicies',
    body: sample(APP_POLICY, (p) => {
      p.id = 'ap2';
      delete p.networkPartitions;
    }),
    status: 400,
    code: 'FIELD_REQUIRED',
    says: ['networkPartitions'],
  },
  {
    name: 'application policy duplicate id',
    method: 'POST',
    path: '/api/applicationPolicies',
    body: sample(APP_POLICY),
    status: 409,
    code: 'ARTIFACT_EXISTS',
    says: ['application-policy-1'],
  },
  {
    name: 'application policy delete unknown',
    method: 'DELETE',
    path: '/api/applicationPolicies/ap-nope',
    status: 404,
    code: 'ARTIFACT_NOT_FOUND',
    says: ['ap-nope'],
  },

  // ---- network partitions
  {
    name: 'network partition with unbound provider',
    method: 'POST',
    path: '/api/networkPartitions',
    body: sample(NETWORK_PARTITION, (n) => {
      n.id = 'np3';
      n.provider = 'openstack';
    }),
    status: 400,
    code: 'REFERENCE_UNRESOLVED',
    says: ['openstack', 'mock'],
  },
  {
    name: 'network partition without partitions',
    method: 'POST',
    path: '/api/networkPartitions',
    body: sample(NETWORK_PARTITION, (n) => {
      n.id = 'np3';
      n.partitions = [];
    }),
    status: 400,
    code: 'VALUE_BLANK',
    says: ['partitions'],
  },
  {
    name: 'network partition with a null partition id',
    method: 'POST',
    path: '/api/networkPartitions',
    body: sample(NETWORK_PARTITION, (n) => {
      n.id = 'np3';
      n.partitions[0].id = null;
    }),
    status: 400,
    code: 'FIELD_REQUIRED',
    says: ['id'],
  },
  {
    name: 'network partition duplicate id',
    method: 'POST',
    path: '/api/networkPartitions',
    body: sample(NETWORK_PARTITION),
    status: 409,
    code: 'ARTIFACT_EXISTS',
    says: ['network-partition-1'],
  },
  {
    name: 'network partition used by an application',
    method: 'DELETE',
    path: '/api/networkPartitions/network-partition-1',
    status: 409,
    code: 'ARTIFACT_IN_USE',
    says: ['network-partition-1', 'cartridge-group-app'],
  },
  {
    name: 'network partition used by a deployment policy',
    method: 'DELETE',
    path: '/api/networkPartitions/network-partition-2',
    status: 409,
    code: 'ARTIFACT_IN_USE',
    says: ['network-partition-2', 'deployment-policy-2'],
  },
  {
    name: 'network partition update of unknown id',
    method: 'PUT',
    path: '/api/networkPartitions',
    body: sample(NETWORK_PARTITION, (n) => (n.id = 'np-ghost')),
    status: 404,
    code: 'ARTIFACT_NOT_FOUND',
    says: ['np-ghost'],
  },

  // ---- kubernetes clusters
  {
    name: 'kubernetes cluster without clusterId',
    method: 'POST',
    path: '/api/kubernetesClusters',
    body: sample(K8S, (k) => delete k.clusterId),
    status: 400,
    code: 'FIELD_REQUIRED',
    says: ['clusterId'],
  },
  {
    name: 'kubernetes cluster with a host that is a number',
    method: 'POST',
    path: '/api/kubernetesClusters',
    body: sample(K8S, (k) => {
      k.clusterId = 'k2';
      k.kubernetesHosts = [42];
    }),
    status: 400,
    code: 'FIELD_TYPE',
    says: ['kubernetesHosts'],
  },
  {
    name: 'kubernetes cluster duplicate id',
    method: 'POST',
    path: '/api/kubernetesClusters',
    body: sample(K8S),
    status: 409,
    code: 'ARTIFACT_EXISTS',
    says: ['kubernetes-cluster-1'],
  },
  { name: 'kubernetes cluster unknown', method: 'DELETE', path: '/api/kubernetesClusters/k-ghost', status: 404, code: 'ARTIFACT_NOT_FOUND', says: ['k-ghost'] },
  {
    name: 'kubernetes host of unknown cluster',
    method: 'GET',
    path: '/api/kubernetesClusters/k-ghost/hosts',
    status: 404,
    code: 'ARTIFACT_NOT_FOUND',
    says: ['k-ghost'],
  },

  // ---- tenants
  {
    name: 'tenant without domain',
    method: 'POST',
    path: '/api/tenants',
    body: { ...TENANT, tenantDomain: undefined },
    status: 400,
    code: 'FIELD_REQUIRED',
    says: ['tenantDomain'],
  },
  {
    name: 'tenant without admin password',
    method: 'POST',
    path: '/api/tenants',
    body: { ...TENANT, tenantDomain: 'beta.org', adminPassword: undefined },
    status: 400,
    code: 'TENANT_ADMIN_REQUIRED',
    says: ['adminPassword'],
  },
  {
    name: 'tenant with a bad email',
    method: 'POST',
    path: '/api/tenants',
    body: { ...TENANT, tenantDomain: 'beta.org', email: 'not-an-email' },
    status: 400,
    code: 'TENANT_EMAIL_INVALID',
    says: ['not-an-email'],
  },
  { name: 'tenant duplicate domain', method: 'POST', path: '/api/tenants', body: TENANT, status: 409, code: 'TENANT_EXISTS', says: ['acme.com'] },
  { name: 'tenant unknown', method: 'GET', path: '/api/tenants/ghost.org', status: 404, code: 'TENANT_NOT_FOUND', says: ['ghost.org'] },
  { name: 'tenant delete is refused', method: 'DELETE', path: '/api/tenants/acme.com', status: 406, code: 'TENANT_REMOVAL_UNSUPPORTED', says: ['deactivate'] },
  {
    name: 'tenant created by a tenant admin',
    method: 'POST',
    path: '/api/tenants',
    body: { ...TENANT, tenantDomain: 'beta.org' },
    auth: basic('bob@acme.com', 'bob-secret'),
    status: 403,
    code: 'PERMISSION_DENIED',
    says: ['permission'],
  },

  // ---- users
  {
    name: 'user without userName',
    method: 'POST',
    path: '/api/users',
    body: { credential: 'pw-12345', role: 'user' },
    status: 400,
    code: 'FIELD_REQUIRED',
    says: ['userName'],
  },
  {
    name: 'user without credential',
    method: 'POST',
    path: '/api/users',
    body: { userName: 'carol', role: 'user' },
    status: 400,
    code: 'VALUE_BLANK',
    says: ['credential'],
  },
  {
    name: 'user duplicate name',
    method: 'POST',
    path: '/api/users',
    body: { userName: 'admin', credential: 'pw-12345', role: 'admin' },
    status: 409,
    code: 'USER_EXISTS',
    says: ['admin'],
  },
  { name: 'user delete unknown', method: 'DELETE', path: '/api/users/ghost', status: 404, code: 'USER_DOES_NOT_EXIST', says: ['ghost'] },
  { name: 'user deletes itself', method: 'DELETE', path: '/api/users/admin', status: 409, code: 'USER_REMOVES_ITSELF', says: ['admin'] },

  // ---- the protocol: JSON, content type, size, credentials, paths
  {
    name: 'malformed JSON',
    method: 'POST',
    path: '/api/cartridges',
    body: '{\n  "type": "x",\n  "category" "framework"\n}',
    status: 400,
    code: 'JSON_MALFORMED',
    says: [/line 3/, /column \d+/],
  },
  {
    name: 'a JSON array instead of an object',
    method: 'POST',
    path: '/api/autoscalingPolicies',
    body: [sample(AS_POLICY)],
    status: 400,
    code: 'BODY_NOT_OBJECT',
    says: [/object/i],
  },
  { name: 'JSON null as the body', method: 'POST', path: '/api/networkPartitions', body: 'null', status: 400, code: 'BODY_NOT_OBJECT', says: [/object/i] },
  {
    name: 'an empty body where an artifact is due',
    method: 'POST',
    path: '/api/cartridges',
    body: '',
    headers: { 'content-type': 'application/json' },
    status: 400,
    code: 'BODY_NOT_OBJECT',
    says: [/body|object|required/i],
  },
  {
    name: 'wrong content type',
    method: 'POST',
    path: '/api/cartridges',
    body: 'type=php',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    says: ['application/x-www-form-urlencoded', 'application/json'],
  },
  {
    name: 'text/plain content type',
    method: 'PUT',
    path: '/api/cartridges',
    body: JSON.stringify(sample(CARTRIDGE)),
    headers: { 'content-type': 'text/plain' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    says: ['text/plain'],
  },
  {
    name: 'oversized body',
    method: 'POST',
    path: '/api/cartridges',
    body: sample(CARTRIDGE, (c) => {
      c.type = 'big';
      c.description = 'x'.repeat(80_000);
    }),
    status: 413,
    code: 'BODY_TOO_LARGE',
    says: [/too large/i],
  },
  {
    name: 'no credentials',
    method: 'POST',
    path: '/api/cartridges',
    body: sample(CARTRIDGE, (c) => (c.type = 'anon')),
    auth: null,
    status: 401,
    code: 'AUTHENTICATION_REQUIRED',
    says: [/authentication/i],
  },
  {
    name: 'wrong password',
    method: 'DELETE',
    path: '/api/cartridges/c1',
    auth: basic('admin', 'wrong'),
    status: 401,
    code: 'LOGIN_FAILED',
    says: [/username\/password/],
  },
  {
    name: 'unknown user',
    method: 'GET',
    path: '/api/cartridges',
    auth: basic('mallory', 'x'),
    status: 401,
    code: 'LOGIN_FAILED',
    says: [/username\/password/],
  },
  {
    name: 'user of an unknown tenant',
    method: 'GET',
    path: '/api/cartridges',
    auth: basic('bob@ghost.org', 'x'),
    status: 401,
    code: 'LOGIN_FAILED',
    says: [/username\/password/],
  },
  { name: 'bearer token', method: 'GET', path: '/api/cartridges', auth: 'Bearer abc', status: 401, code: 'BASIC_AUTH_ONLY', says: ['Basic'] },
  { name: 'unknown path', method: 'GET', path: '/api/gadgets', status: 404, code: 'ROUTE_NOT_FOUND', says: ['/api/gadgets'] },
];

describe('rejected requests change nothing', { skip: samplesMissing }, () => {
  let server: TestServer;

  /** The raw answer of every list endpoint, as admin. */
  async function snapshot(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const list of LISTS) {
      const res = await fetch(`${server.url}/api/${list}`, { headers: { authorization: ADMIN } });
      assert.equal(res.status, 200, `GET /api/${list}`);
      out[list] = await res.text();
    }
    // what tenant acme.com sees of its own
    for (const list of ['applications', 'users']) {
      const res = await fetch(`${server.url}/api/${list}`, { headers: { authorization: basic('bob@acme.com', 'bob-secret') } });
      out[`acme:${list}`] = await res.text();
    }
    return out;
  }

  let before_: Record<string, string>;

  before(async () => {
    server = await startTestServer({ bodyLimit: 64 * 1024, mbPort: 0 });
    for (const [collection, file] of SEED) {
      const res = await server.call('POST', `/api/${collection}`, sampleText(file));
      assert.equal(res.status, 201, `seed ${file}: ${JSON.stringify(res.body)}`);
    }
    assert.equal((await server.call('POST', '/api/tenants', TENANT)).status, 201);
    before_ = await snapshot();
  });
  after(() => server.stop());

  it('has at least 30 cases, covering every kind', () => {
    assert.ok(CASES.length >= 30);
    for (const list of LISTS)
      assert.ok(
        CASES.some((c) => c.path.startsWith(`/api/${list}`)),
        list,
      );
  });

  for (const c of CASES) {
    it(`${c.method} ${c.path}: ${c.name} → ${c.status}`, async () => {
      const res = await server.call(c.method, c.path, c.body, c.auth === undefined ? ADMIN : c.auth, c.headers);
      assert.equal(res.status, c.status, JSON.stringify(res.body));
      assert.equal(typeof res.body, 'object', `a JSON body: ${res.body}`);
      assert.equal(res.body.status, 'error');
      assert.equal(typeof res.body.message, 'string');
      assert.deepEqual(Object.keys(res.body), ['status', 'message', 'code']);
      assert.equal(res.body.code, c.code, res.body.message);
      assert.equal(ERROR_CATALOGUE[c.code].status, c.status, `the catalogue's status of ${c.code}`);
      for (const s of c.says) {
        if (typeof s === 'string') assert.ok(res.body.message.includes(s), `message names ${JSON.stringify(s)}: ${res.body.message}`);
        else assert.match(res.body.message, s);
      }
      if (c.status === 401) assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/);
      assert.deepEqual(await snapshot(), before_, 'every collection is unchanged');
    });
  }
});
