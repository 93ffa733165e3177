import { Type } from '@sinclair/typebox';
import { ERROR_CODES } from './error-catalogue.ts';

/*
 * TypeBox schemas of the answers of the REST API (the OpenAPI document's responses). fastify also
 * serialises an answer with its response schema, dropping every field the schema does not name:
 * so every object whose shape is open (the runtime view, members, properties) allows more fields
 * (`additionalProperties: true`), and nothing is `required` that an answer may leave out.
 */

const open = { additionalProperties: true } as const;
const optStr = (description: string) => Type.Optional(Type.String({ description }));
const strings = (description: string) => Type.Optional(Type.Array(Type.String(), { description }));

/** `ResponseMessageBean` of a success: `{"status":"success","message":...}`. */
export const SuccessEnvelopeSchema = Type.Object(
  {
    status: Type.Literal('success'),
    message: Type.String({ description: 'What was done, naming the artifact' }),
  },
  { title: 'ResponseMessageBean', description: "Stratos's envelope of a successful operation", ...open },
);

/** `ResponseMessageBean` of an error, with strato's stable code (docs/errors.md). */
export const ErrorEnvelopeSchema = Type.Object(
  {
    status: Type.Literal('error'),
    message: Type.String({ description: 'What is wrong, naming the field, the value or the artifact' }),
    code: Type.Optional(Type.String({ enum: [...ERROR_CODES], description: 'The stable code of the error (docs/errors.md); Stratos clients ignore it' })),
  },
  { title: 'ErrorResponseBean', description: "Stratos's envelope of a failed request, with the error's code", ...open },
);

const PortSchema = Type.Object(
  {
    protocol: optStr('Protocol of the port'),
    port: Type.Optional(Type.Integer({ description: 'Port of the member' })),
    proxyPort: Type.Optional(Type.Integer({ description: 'Port of the load balancer in front' })),
  },
  { title: 'PortBean', ...open },
);

/** A member of a cluster instance (runtime view and GET /cluster). */
export const MemberSchema = Type.Object(
  {
    memberId: optStr('Member id'),
    instanceId: optStr('IaaS instance id, once the instance exists'),
    clusterId: optStr('Cluster id'),
    clusterInstanceId: optStr('Cluster instance id'),
    serviceName: optStr('Cartridge type'),
    networkPartitionId: optStr('Network partition of the member'),
    partitionId: optStr('Partition of the member'),
    status: optStr('Member status: Created, Initialized, Starting, Active, In_Maintenance, ReadyToShutDown, Suspended, Terminated'),
    defaultPrivateIP: optStr('Default private IP'),
    defaultPublicIP: optStr('Default public IP'),
    memberPrivateIPs: strings('Private IPs'),
    memberPublicIPs: strings('Public IPs'),
    ports: Type.Optional(Type.Array(PortSchema, { description: 'Ports of the member' })),
    property: Type.Optional(
      Type.Array(Type.Object({ name: Type.String(), value: Type.Optional(Type.Unknown()) }, open), {
        description: 'Member properties (the launch payload left out)',
      }),
    ),
  },
  { title: 'MemberBean', ...open },
);

const ClusterInstanceSchema = Type.Object(
  {
    alias: optStr('Subscription alias of the cartridge'),
    serviceName: optStr('Cartridge type'),
    clusterId: optStr('Cluster id'),
    instanceId: optStr('Instance id of the parent (application or group instance)'),
    parentInstanceId: optStr('Instance id of the parent'),
    status: optStr('Cluster instance status (absent while the instance does not exist yet)'),
    tenantRange: optStr('Tenant range'),
    hostNames: strings('Host names'),
    accessUrls: strings('Access URLs, once Active'),
    member: Type.Optional(Type.Array(MemberSchema, { description: 'Members of the cluster instance' })),
  },
  { title: 'ClusterInstanceBean', ...open },
);

/** The children of an application or group instance (a nested group instance has the same shape). */
const levelFields = {
  clusterInstances: Type.Optional(Type.Array(ClusterInstanceSchema, { description: 'Cluster instances of this level' })),
  groupInstances: Type.Optional(
    Type.Array(
      Type.Object(
        {
          groupId: optStr('Group alias'),
          instanceId: optStr('Group instance id'),
          parentInstanceId: optStr('Instance id of the parent'),
          status: optStr('Group instance status'),
          clusterInstances: Type.Optional(Type.Array(ClusterInstanceSchema)),
          groupInstances: Type.Optional(Type.Array(Type.Object({}, { description: 'A nested group instance: the same shape, recursively', ...open }))),
        },
        { title: 'GroupInstanceBean', ...open },
      ),
      { description: 'Group instances of this level' },
    ),
  ),
};

/** GET /applications/{id}/runtime (rest-api.md §6.8). */
export const ApplicationRuntimeSchema = Type.Object(
  {
    id: Type.String({ description: 'Application id' }),
    name: optStr('Application name'),
    description: optStr('Application description'),
    status: optStr('Application status: Created, Active, Inactive, Terminating, ...'),
    tenantDomain: optStr('Tenant domain of the application'),
    tenantAdminUsername: optStr('Administrator of the tenant'),
    applicationInstances: Type.Optional(
      Type.Array(
        Type.Object(
          {
            instanceId: optStr('Application instance id'),
            applicationId: optStr('Application id'),
            status: optStr('Application instance status'),
            ...levelFields,
          },
          { title: 'ApplicationInstanceBean', ...open },
        ),
        { description: 'Instances of the application (one per network partition group)' },
      ),
    ),
  },
  { title: 'ApplicationInfoBean', description: 'The runtime of a deployed application', ...open },
);

/** GET /cluster/{clusterId} (rest-api.md #52). */
export const ClusterSchema = Type.Object(
  {
    alias: optStr('Subscription alias of the cartridge'),
    serviceName: optStr('Cartridge type'),
    clusterId: Type.String({ description: 'Cluster id' }),
    tenantRange: optStr('Tenant range'),
    lbCluster: Type.Optional(Type.Boolean({ description: 'Whether it is a load balancer cluster' })),
    hostNames: strings('Host names'),
    property: Type.Optional(Type.Array(Type.Object({}, open), { description: 'Cluster properties' })),
    instances: Type.Optional(
      Type.Array(Type.Object({ instanceId: optStr('Cluster instance id'), status: optStr('Cluster instance status') }, open), {
        description: 'Instances of the cluster',
      }),
    ),
    member: Type.Optional(Type.Array(MemberSchema, { description: 'Members of every instance' })),
  },
  { title: 'ClusterBean', description: 'A cluster of a deployed application', ...open },
);

/** GET /applications/{id}/networkPartitions. */
export const NetworkPartitionIdsSchema = Type.Object(
  { networkPartitionIds: Type.Array(Type.String(), { description: 'Network partitions the application uses' }) },
  { title: 'ApplicationNetworkPartitionIdListBean', ...open },
);

/** The error answers every route may give: the envelope with the code. */
export const errorResponses = { '4xx': ErrorEnvelopeSchema, '5xx': ErrorEnvelopeSchema } as const;
