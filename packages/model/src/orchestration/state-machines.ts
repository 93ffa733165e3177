/**
 * Status enumerations and allowed transitions of members, cluster instances, group instances and
 * application instances, exactly as in Stratos 4.1 (orchestration.md §1.5). A self-transition
 * ("X → X") is always allowed and means "no change".
 */

/** Member status (Stratos `MemberStatus`). */
export const MemberStatus = {
  Created: 'Created',
  Initialized: 'Initialized',
  Starting: 'Starting',
  Active: 'Active',
  In_Maintenance: 'In_Maintenance',
  ReadyToShutDown: 'ReadyToShutDown',
  Suspended: 'Suspended',
  Terminated: 'Terminated',
} as const;
export type MemberStatus = (typeof MemberStatus)[keyof typeof MemberStatus];

/** Cluster instance status (Stratos `ClusterStatus`). `Patching` is never produced in 4.1. */
export const ClusterStatus = {
  Created: 'Created',
  Active: 'Active',
  Patching: 'Patching',
  Inactive: 'Inactive',
  Terminating: 'Terminating',
  Terminated: 'Terminated',
} as const;
export type ClusterStatus = (typeof ClusterStatus)[keyof typeof ClusterStatus];

/** Group instance status (Stratos `GroupStatus`). */
export const GroupStatus = {
  Created: 'Created',
  Active: 'Active',
  Inactive: 'Inactive',
  Terminating: 'Terminating',
  Terminated: 'Terminated',
} as const;
export type GroupStatus = (typeof GroupStatus)[keyof typeof GroupStatus];

/** Application instance status (Stratos `ApplicationStatus`). */
export const ApplicationStatus = {
  Created: 'Created',
  Active: 'Active',
  Inactive: 'Inactive',
  Terminating: 'Terminating',
  Terminated: 'Terminated',
} as const;
export type ApplicationStatus = (typeof ApplicationStatus)[keyof typeof ApplicationStatus];

/** The entities that have a life cycle. */
export type LifeCycleEntity = 'member' | 'cluster' | 'group' | 'application';

/** The status type of each entity. */
export interface StatusOf {
  member: MemberStatus;
  cluster: ClusterStatus;
  group: GroupStatus;
  application: ApplicationStatus;
}

/** Stratos's numeric status codes (the `code` of each Java enum constant). */
export const STATUS_CODES: { readonly [E in LifeCycleEntity]: Readonly<Record<StatusOf[E], number>> } = {
  member: {
    Created: 0,
    Initialized: 1,
    Starting: 2,
    Active: 3,
    In_Maintenance: 4,
    ReadyToShutDown: 5,
    Suspended: 6,
    Terminated: 7,
  },
  cluster: { Created: 0, Active: 1, Patching: 2, Inactive: 3, Terminating: 4, Terminated: 5 },
  group: { Created: 0, Active: 1, Inactive: 2, Terminating: 3, Terminated: 4 },
  application: { Created: 0, Active: 1, Inactive: 2, Terminating: 3, Terminated: 4 },
};

/** Allowed next states (besides the state itself) for every state of every entity. */
export const TRANSITIONS: {
  readonly [E in LifeCycleEntity]: Readonly<Record<StatusOf[E], readonly StatusOf[E][]>>;
} = {
  member: {
    Created: ['Initialized'],
    Initialized: ['Starting'],
    Starting: ['Active'],
    Active: ['Suspended', 'In_Maintenance', 'Starting'],
    In_Maintenance: ['ReadyToShutDown'],
    ReadyToShutDown: ['Terminated'],
    Suspended: ['Terminated'],
    Terminated: [],
  },
  cluster: {
    Created: ['Active', 'Terminating'],
    Active: ['Inactive', 'Patching', 'Terminating'],
    Patching: ['Active'],
    Inactive: ['Active', 'Terminating'],
    Terminating: ['Terminated', 'Created'],
    Terminated: [],
  },
  group: {
    Created: ['Active', 'Terminating'],
    Active: ['Inactive', 'Terminating'],
    Inactive: ['Active', 'Terminating'],
    Terminating: ['Terminated', 'Created'],
    Terminated: [],
  },
  application: {
    Created: ['Active', 'Terminating'],
    Active: ['Terminating', 'Inactive'],
    Inactive: ['Active', 'Terminating'],
    Terminating: ['Terminated'],
    Terminated: [],
  },
};

/** Every status of an entity, in code order. */
export function statusesOf<E extends LifeCycleEntity>(entity: E): readonly StatusOf[E][] {
  const codes = STATUS_CODES[entity] as Readonly<Record<string, number>>;
  return (Object.keys(codes) as StatusOf[E][]).sort((a, b) => codes[a] - codes[b]);
}

/** Whether `value` is a status name of `entity`. */
export function isStatusOf<E extends LifeCycleEntity>(entity: E, value: unknown): value is StatusOf[E] {
  return typeof value === 'string' && Object.hasOwn(STATUS_CODES[entity], value);
}

/**
 * Whether `entity` may go from `from` to `to`. A self-transition is always allowed.
 * Unknown status names are never allowed.
 */
export function canTransition<E extends LifeCycleEntity>(entity: E, from: StatusOf[E], to: StatusOf[E]): boolean {
  if (!isStatusOf(entity, from) || !isStatusOf(entity, to)) return false;
  if (from === to) return true;
  const table = TRANSITIONS[entity] as Readonly<Record<string, readonly string[]>>;
  return table[from].includes(to);
}

/** The initial status of every entity (`Created`). */
export function initialStatus<E extends LifeCycleEntity>(entity: E): StatusOf[E] {
  void entity;
  return 'Created' as StatusOf[E];
}
