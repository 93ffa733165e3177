import { Type } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';

/** Every kind of artifact a client defines through the REST API. */
export type ArtifactKind =
  | 'cartridge'
  | 'cartridgeGroup'
  | 'application'
  | 'autoscalingPolicy'
  | 'deploymentPolicy'
  | 'applicationPolicy'
  | 'networkPartition'
  | 'kubernetesCluster'
  | 'kubernetesHost'
  | 'kubernetesMaster'
  | 'tenant'
  | 'user';

/*
 * TypeBox schemas of every artifact a client POSTs or PUTs, with Stratos 4.1's wire field names
 * (rest-api.md §6). They describe the *normal form*: real arrays, declared scalar types, no nulls.
 * normalize.ts compiles them with ajv in lenient mode (numbers/booleans given as strings, a single
 * value where a list is expected, unknown fields dropped), so they double as input schemas and as
 * the source of the OpenAPI document. Every schema carries a title and a description; only the two
 * recursive ones carry an `$id` (needed for their self-reference).
 */

const str = (description: string) => Type.String({ description });
const optStr = (description: string) => Type.Optional(str(description));
const optInt = (description: string) => Type.Optional(Type.Integer({ description }));
const optBool = (description: string) => Type.Optional(Type.Boolean({ description }));

/** `PropertyBean`: a name/value pair. */
export const PropertySchema = Type.Object(
  {
    name: str('Property name'),
    value: Type.Optional(Type.String({ description: 'Property value (numbers and booleans are accepted and kept as text)' })),
  },
  { title: 'PropertyBean', description: 'A name/value property' },
);

const properties = (description: string) => Type.Optional(Type.Array(PropertySchema, { description }));

// ---------------------------------------------------------------------------------------------
// Network partitions, deployment policies, autoscaling policies, application policies

/** `PartitionBean`. */
export const PartitionSchema = Type.Object(
  {
    id: str('Partition id, unique within its network partition'),
    description: optStr('Free text'),
    property: properties('IaaS placement properties, e.g. region, zone, or cluster for kubernetes'),
  },
  { title: 'PartitionBean', description: 'An IaaS partition (e.g. an availability zone) of a network partition' },
);

/** `NetworkPartitionBean`. */
export const NetworkPartitionSchema = Type.Object(
  {
    id: str('Network partition id'),
    provider: str('IaaS provider type; must be bound to a driver'),
    partitions: Type.Array(PartitionSchema, { description: 'At least one partition' }),
    properties: properties('payload_parameter.X properties are injected into member payloads'),
  },
  { title: 'NetworkPartitionBean', description: 'A named set of partitions of one IaaS provider' },
);

/** `PartitionReferenceBean`. */
export const PartitionReferenceSchema = Type.Object(
  {
    id: str('Id of a partition of the referenced network partition'),
    partitionMax: optInt('Maximum members placed in this partition'),
    description: optStr('Free text'),
    property: properties('Properties'),
  },
  { title: 'PartitionReferenceBean', description: 'A partition used by a deployment policy' },
);

/** `NetworkPartitionReferenceBean`. */
export const NetworkPartitionReferenceSchema = Type.Object(
  {
    id: str('Id of an existing network partition'),
    partitionAlgo: str('round-robin or one-after-another'),
    partitions: Type.Array(PartitionReferenceSchema, { description: 'At least one partition reference' }),
  },
  { title: 'NetworkPartitionReferenceBean', description: 'A network partition used by a deployment policy' },
);

/** `DeploymentPolicyBean`. */
export const DeploymentPolicySchema = Type.Object(
  {
    id: str('Deployment policy id'),
    networkPartitions: Type.Array(NetworkPartitionReferenceSchema, { description: 'At least one network partition reference' }),
  },
  { title: 'DeploymentPolicyBean', description: 'Where the members of a cluster are placed' },
);

const threshold = (title: string, description: string) =>
  Type.Optional(Type.Object({ threshold: Type.Optional(Type.Number({ description: 'Threshold value' })) }, { title, description }));

/** `AutoscalePolicyBean`. */
export const AutoscalingPolicySchema = Type.Object(
  {
    id: str('Autoscaling policy id'),
    displayName: optStr('Display name'),
    description: optStr('Free text'),
    loadThresholds: Type.Optional(
      Type.Object(
        {
          requestsInFlight: threshold('RequestsInFlightThresholdsBean', 'Requests in flight per member'),
          memoryConsumption: threshold('MemoryConsumptionThresholdsBean', 'Memory consumption, percent'),
          loadAverage: threshold('LoadAverageThresholdsBean', 'Load average, percent of capacity'),
        },
        { title: 'LoadThresholdsBean', description: 'Scaling thresholds; a missing one is not used' },
      ),
    ),
  },
  { title: 'AutoscalePolicyBean', description: 'Thresholds that drive scaling of a cluster' },
);

/** `ApplicationPolicyBean`. */
export const ApplicationPolicySchema = Type.Object(
  {
    id: str('Application policy id'),
    algorithm: str('one-after-another or all-at-once'),
    networkPartitions: Type.Array(Type.String(), { description: 'Ids of existing network partitions, at least one' }),
    properties: properties('Properties; networkPartitionGroups = groups separated by "," of ids separated by "|"'),
  },
  { title: 'ApplicationPolicyBean', description: 'Which network partitions the instances of an application use' },
);

// ---------------------------------------------------------------------------------------------
// Cartridges

/** `PortMappingBean`. */
export const PortMappingSchema = Type.Object(
  {
    name: optStr('Port name; generated as {protocol}-{port} when blank'),
    protocol: str('Protocol, e.g. http, https, tcp'),
    port: Type.Integer({ description: 'Port of the member, 1..65535' }),
    proxyPort: optInt('Port exposed by the load balancer, 0..65535'),
    kubernetesPortType: optStr('NodePort (default) or ClusterIP; kubernetes only'),
  },
  { title: 'PortMappingBean', description: 'A port of the service' },
);

/** Floating network of a network interface. */
export const FloatingNetworkSchema = Type.Object(
  { name: optStr('Name'), networkUuid: optStr('Network UUID'), floatingIP: optStr('Floating IP') },
  { title: 'FloatingNetworkBean', description: 'A floating network of a network interface' },
);

/** `NetworkInterfaceBean`. */
export const NetworkInterfaceSchema = Type.Object(
  {
    networkUuid: optStr('Network UUID'),
    fixedIp: optStr('Fixed IP'),
    portUuid: optStr('Port UUID'),
    floatingNetworks: Type.Optional(Type.Array(FloatingNetworkSchema, { description: 'Floating networks' })),
  },
  { title: 'NetworkInterfaceBean', description: 'A network interface of the instances' },
);

/** `IaasProviderBean`. */
export const IaasProviderSchema = Type.Object(
  {
    type: str('IaaS provider type; must be bound to a driver'),
    name: optStr('Name'),
    className: optStr('Driver class (ignored)'),
    imageId: optStr('Image id'),
    provider: optStr('Provider'),
    identity: optStr('Identity'),
    credential: optStr('Credential'),
    property: properties('IaaS properties, override the configured ones'),
    networkInterfaces: Type.Optional(Type.Array(NetworkInterfaceSchema, { description: 'Network interfaces' })),
  },
  { title: 'IaasProviderBean', description: 'IaaS-specific configuration of a cartridge' },
);

/** `VolumeBean`. */
export const VolumeSchema = Type.Object(
  {
    id: optStr('Volume id'),
    size: optStr('Size in GB (text holding an integer)'),
    device: optStr('Device'),
    removeOnTermination: optBool('Remove the volume when the member terminates'),
    mappingPath: optStr('Mount path'),
    snapshotId: optStr('Snapshot id'),
    volumeId: optStr('Existing volume id'),
  },
  { title: 'VolumeBean', description: 'A persistent volume' },
);

/** `PersistenceBean`. */
export const PersistenceSchema = Type.Object(
  {
    required: optBool('Whether persistence is required'),
    volume: Type.Optional(Type.Array(VolumeSchema, { description: 'Volumes' })),
  },
  { title: 'PersistenceBean', description: 'Persistent volumes' },
);

/** `DeploymentBean`. */
export const DeploymentSchema = Type.Object(
  {
    baseDir: optStr('Application path (payload APPLICATION_PATH)'),
    dir: Type.Optional(Type.Array(Type.String(), { description: 'Directories' })),
  },
  { title: 'DeploymentBean', description: 'Deployment directories' },
);

/** `CartridgeBean`. */
export const CartridgeSchema = Type.Object(
  {
    type: str('Cartridge type (unique id)'),
    provider: optStr('Provider, used by the provider filter'),
    category: str('Category, e.g. framework, data, load-balancer'),
    host: optStr('Host name suffix of clusters'),
    displayName: optStr('Display name'),
    description: optStr('Free text'),
    version: optStr('Version'),
    multiTenant: optBool('Multi-tenant service'),
    loadBalancingIPType: optStr('public or private'),
    portMapping: Type.Array(PortMappingSchema, { description: 'Ports' }),
    iaasProvider: Type.Array(IaasProviderSchema, { description: 'At least one IaaS provider' }),
    deployment: Type.Optional(DeploymentSchema),
    persistence: Type.Optional(PersistenceSchema),
    property: properties('payload_parameter.X entries go into the member payload'),
    metadataKeys: Type.Optional(Type.Array(Type.String(), { description: 'Metadata keys exported as {alias}-{key}' })),
  },
  { title: 'CartridgeBean', description: 'A service type: image, ports and IaaS configuration' },
);

// ---------------------------------------------------------------------------------------------
// Cartridge groups and applications

/** `{aliases: [...]}`: one startup order or one scaling-dependents entry. */
export const AliasListSchema = Type.Object(
  {
    aliases: Type.Array(Type.String(), {
      description: '"cartridge.<alias>" or "group.<alias>" entries; an entry holding a comma-separated list is split',
    }),
  },
  { title: 'AliasListBean', description: 'An ordered list of child aliases' },
);

/** `DependencyBean`. */
export const DependenciesSchema = Type.Object(
  {
    startupOrders: Type.Optional(Type.Array(AliasListSchema, { description: 'Startup orders: each list starts in order' })),
    scalingDependents: Type.Optional(Type.Array(AliasListSchema, { description: 'Children that scale together' })),
    terminationBehaviour: optStr('terminate-none, terminate-dependents or terminate-all'),
  },
  { title: 'DependencyBean', description: 'Startup order, scaling dependents and termination behaviour' },
);

/** `CartridgeGroupBean` (recursive: nested groups are defined inline). */
export const CartridgeGroupSchema = Type.Recursive(
  (Self) =>
    Type.Object(
      {
        name: str('Group name (unique among top-level groups)'),
        cartridges: Type.Optional(Type.Array(Type.String(), { description: 'Cartridge types' })),
        groups: Type.Optional(Type.Array(Self, { description: 'Nested group definitions' })),
        dependencies: Type.Optional(DependenciesSchema),
      },
      { title: 'CartridgeGroupBean', description: 'A reusable template of cartridges and nested groups' },
    ),
  { $id: 'CartridgeGroupBean', title: 'CartridgeGroupBean', description: 'A reusable template of cartridges and nested groups' },
);

/** `ArtifactRepositoryBean`. */
export const ArtifactRepositorySchema = Type.Object(
  {
    alias: optStr('Overwritten with the subscription alias'),
    privateRepo: optBool('Private repository'),
    repoUrl: optStr('Repository URL'),
    repoUsername: optStr('User name'),
    repoPassword: optStr('Password'),
  },
  { title: 'ArtifactRepositoryBean', description: 'Git repository of the application artifacts' },
);

/** `SubscribableInfo`. */
export const SubscribableInfoSchema = Type.Object(
  {
    alias: str('Subscription alias, unique in the application, pattern ([a-z0-9]+([-][a-z0-9])*)+'),
    autoscalingPolicy: str('Id of an existing autoscaling policy'),
    deploymentPolicy: optStr('Id of an existing deployment policy (unless inherited from a group)'),
    minMembers: optInt('Accepted and echoed, not used'),
    maxMembers: optInt('Accepted and echoed, not used'),
    dependencyAliases: Type.Optional(Type.Array(Type.String(), { description: 'Dependency aliases' })),
    artifactRepository: Type.Optional(ArtifactRepositorySchema),
    persistence: Type.Optional(PersistenceSchema),
    property: properties('payload_parameter.X entries go into the member payload'),
    lvsVirtualIP: optStr('LVS virtual IP'),
  },
  { title: 'SubscribableInfo', description: 'How a cartridge is subscribed' },
);

/** `CartridgeReferenceBean`. */
export const CartridgeReferenceSchema = Type.Object(
  {
    type: str('Cartridge type'),
    cartridgeMin: optInt('Cluster minimum members'),
    cartridgeMax: optInt('Cluster maximum members'),
    subscribableInfo: SubscribableInfoSchema,
  },
  { title: 'CartridgeReferenceBean', description: 'A cartridge subscription' },
);

/** `CartridgeGroupReferenceBean` (recursive). */
export const GroupReferenceSchema = Type.Recursive(
  (Self) =>
    Type.Object(
      {
        name: str('Registered group name, or for nested entries a nested group of that definition'),
        alias: str('Group alias, unique in the application'),
        groupMinInstances: optInt('Minimum group instances'),
        groupMaxInstances: optInt('Maximum group instances (> 1 enables group scaling)'),
        deploymentPolicy: optStr('Deployment policy inherited by every descendant'),
        cartridges: Type.Optional(Type.Array(CartridgeReferenceSchema, { description: 'Cartridge subscriptions' })),
        groups: Type.Optional(Type.Array(Self, { description: 'Nested group references' })),
      },
      { title: 'CartridgeGroupReferenceBean', description: 'A group used by an application' },
    ),
  { $id: 'CartridgeGroupReferenceBean', title: 'CartridgeGroupReferenceBean', description: 'A group used by an application' },
);

/** `ComponentBean`. */
export const ComponentsSchema = Type.Object(
  {
    cartridges: Type.Optional(Type.Array(CartridgeReferenceSchema, { description: 'Top-level cartridge subscriptions' })),
    groups: Type.Optional(Type.Array(GroupReferenceSchema, { description: 'Top-level groups' })),
    dependencies: Type.Optional(DependenciesSchema),
  },
  { title: 'ComponentBean', description: 'The children of an application' },
);

/** `ApplicationBean` (input fields). */
export const ApplicationSchema = Type.Object(
  {
    applicationId: str('Application id'),
    alias: str('Application alias'),
    name: optStr('Name'),
    description: optStr('Free text'),
    multiTenant: optBool('Multi-tenant application'),
    property: properties('Properties'),
    components: ComponentsSchema,
  },
  { title: 'ApplicationBean', description: 'A tree of cartridge subscriptions and groups' },
);

// ---------------------------------------------------------------------------------------------
// Kubernetes, tenants, users

/** `KubernetesHostBean`. */
export const KubernetesHostSchema = Type.Object(
  {
    hostId: str('Host id'),
    hostname: optStr('Host name'),
    privateIPAddress: optStr('Private IP address'),
    publicIPAddress: optStr('Public IP address'),
    property: properties('Properties'),
  },
  { title: 'KubernetesHostBean', description: 'A kubernetes minion' },
);

/** `KubernetesMasterBean`. */
export const KubernetesMasterSchema = Type.Object(
  {
    hostId: str('Host id'),
    hostname: optStr('Host name'),
    privateIPAddress: optStr('Private IP address'),
    publicIPAddress: optStr('Public IP address'),
    endpoint: optStr('API endpoint'),
    property: properties('Properties, e.g. KUBERNETES_MASTER_PORT'),
  },
  { title: 'KubernetesMasterBean', description: 'The kubernetes master' },
);

/** `PortRangeBean`. */
export const PortRangeSchema = Type.Object(
  {
    upper: Type.Integer({ description: 'Upper bound, 1..65535' }),
    lower: Type.Integer({ description: 'Lower bound, 1..65535' }),
  },
  { title: 'PortRangeBean', description: 'NodePort pool' },
);

/** `KubernetesClusterBean`. */
export const KubernetesClusterSchema = Type.Object(
  {
    clusterId: str('Kubernetes cluster id'),
    description: optStr('Free text'),
    kubernetesMaster: KubernetesMasterSchema,
    kubernetesHosts: Type.Optional(Type.Array(KubernetesHostSchema, { description: 'Minions' })),
    portRange: PortRangeSchema,
    property: properties('payload_parameter.X → container environment'),
  },
  { title: 'KubernetesClusterBean', description: 'A kubernetes cluster used as an IaaS' },
);

/** `TenantInfoBean`. */
export const TenantSchema = Type.Object(
  {
    tenantId: optInt('Tenant id (assigned by the server)'),
    tenantDomain: str('Tenant domain, e.g. example.com'),
    admin: optStr('Admin user name'),
    adminPassword: optStr('Admin password'),
    firstName: optStr('First name of the admin'),
    lastName: optStr('Last name of the admin'),
    email: str('Email of the admin'),
    active: optBool('Active'),
    createdDate: Type.Optional(Type.Number({ description: 'Creation time, ms since epoch' })),
    successKey: optStr('Success key'),
    originatedService: optStr('Originated service'),
    usagePlan: optStr('Usage plan'),
  },
  { title: 'TenantInfoBean', description: 'A tenant' },
);

/** `UserInfoBean`. */
export const UserSchema = Type.Object(
  {
    userName: str('User name'),
    credential: optStr('Password (required on add)'),
    role: optStr('Role, e.g. admin'),
    firstName: optStr('First name'),
    lastName: optStr('Last name'),
    email: optStr('Email'),
    profileName: optStr('Profile name'),
  },
  { title: 'UserInfoBean', description: "A user of the caller's tenant" },
);

/** The input schema of every artifact kind. */
export const schemas = {
  cartridge: CartridgeSchema,
  cartridgeGroup: CartridgeGroupSchema,
  application: ApplicationSchema,
  autoscalingPolicy: AutoscalingPolicySchema,
  deploymentPolicy: DeploymentPolicySchema,
  applicationPolicy: ApplicationPolicySchema,
  networkPartition: NetworkPartitionSchema,
  kubernetesCluster: KubernetesClusterSchema,
  kubernetesHost: KubernetesHostSchema,
  kubernetesMaster: KubernetesMasterSchema,
  tenant: TenantSchema,
  user: UserSchema,
} satisfies Record<ArtifactKind, TSchema>;
