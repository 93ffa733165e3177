import { canTransition, initialStatus, isStatusOf, TRANSITIONS, type LifeCycleEntity, type StatusOf } from './state-machines.ts';

const ENTITY_NAMES: Readonly<Record<LifeCycleEntity, string>> = {
  member: 'member',
  cluster: 'cluster instance',
  group: 'group instance',
  application: 'application instance',
};

/**
 * An immutable life-cycle state stack (Stratos's `LifeCycleStateManager`): states in the order they
 * were entered, the current one last. `transition` returns a new value; setting the current state
 * again returns the same value (a no-op), and an illegal transition throws.
 */
export class LifeCycle<E extends LifeCycleEntity> {
  /** Which state machine applies. */
  readonly entity: E;
  /** Identifier of the owner (e.g. a member id, `<clusterId>_<instanceId>`), for messages. */
  readonly identifier: string;
  /** Every state entered, oldest first; never empty. */
  readonly stack: readonly StatusOf[E][];

  private constructor(entity: E, identifier: string, stack: readonly StatusOf[E][]) {
    this.entity = entity;
    this.identifier = identifier;
    this.stack = Object.freeze([...stack]);
    Object.freeze(this);
  }

  /** A new life cycle in the entity's initial state (`Created`). */
  static start<E extends LifeCycleEntity>(entity: E, identifier = ''): LifeCycle<E> {
    return new LifeCycle(entity, identifier, [initialStatus(entity)]);
  }

  /**
   * Restores a persisted state stack (e.g. from a stored topology), checking every step.
   * @throws Error when the stack is empty, names an unknown state or holds an illegal step.
   */
  static restore<E extends LifeCycleEntity>(entity: E, stack: readonly string[], identifier = ''): LifeCycle<E> {
    if (stack.length === 0) throw new Error(`Empty state stack for ${ENTITY_NAMES[entity]} ${identifier}`.trimEnd());
    let lc: LifeCycle<E> | undefined;
    for (const s of stack) {
      if (!isStatusOf(entity, s)) {
        throw new Error(`Unknown ${ENTITY_NAMES[entity]} state '${s}'${identifier ? ` for ${identifier}` : ''}`);
      }
      lc = lc === undefined ? new LifeCycle(entity, identifier, [s]) : lc.transition(s);
    }
    return lc as LifeCycle<E>;
  }

  /** The current state. */
  get current(): StatusOf[E] {
    return this.stack[this.stack.length - 1];
  }

  /** The state before the current one, or `undefined` when only one state was ever entered. */
  get previous(): StatusOf[E] | undefined {
    return this.stack.length > 1 ? this.stack[this.stack.length - 2] : undefined;
  }

  /** Whether `to` may be entered from the current state. */
  canTransition(to: StatusOf[E]): boolean {
    return canTransition(this.entity, this.current, to);
  }

  /**
   * Enters `to`. Setting the current state again returns this same value.
   * @throws Error naming the entity, both states and the allowed next states on an illegal transition.
   */
  transition(to: StatusOf[E]): LifeCycle<E> {
    if (to === this.current) return this;
    if (!this.canTransition(to)) {
      const table = TRANSITIONS[this.entity] as Readonly<Record<string, readonly string[]>>;
      const allowed = table[this.current] ?? [];
      throw new Error(
        `Illegal ${ENTITY_NAMES[this.entity]} state transition${this.identifier ? ` for ${this.identifier}` : ''}: ` +
          `${this.current} -> ${String(to)} (allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'})`,
      );
    }
    return new LifeCycle(this.entity, this.identifier, [...this.stack, to]);
  }
}
