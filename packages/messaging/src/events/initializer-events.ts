/**
 * Initializer events (`initializer/<Event>`): requests for a complete model, answered by the
 * component that owns it. All are empty objects `{}`.
 */

/** An empty event body. */
export type EmptyEvent = Record<string, never>;

/** Payload types of the initializer events, by event name. */
export interface InitializerEvents {
  /** Answered by the cloud controller with CompleteTopologyEvent. */
  CompleteTopologyRequestEvent: EmptyEvent;
  /** Answered by the autoscaler with CompleteApplicationsEvent. */
  CompleteApplicationsRequestEvent: EmptyEvent;
  /** Answered by the stratos manager with CompleteTenantEvent. */
  CompleteTenantRequestEvent: EmptyEvent;
  /** Answered by the stratos manager with CompleteApplicationSignUpsEvent. */
  CompleteApplicationSignUpsRequestEvent: EmptyEvent;
}
