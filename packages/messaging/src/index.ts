/**
 * @strato/messaging — Stratos's MQTT event catalogue and the message bus every strato component
 * (control plane, cartridge agent) uses, plus an embedded MQTT broker.
 */
export * from './events.ts';
export type * from './events/topology-events.ts';
export type * from './events/application-events.ts';
export type * from './events/tenancy-events.ts';
export type * from './events/cluster-status-events.ts';
export type * from './events/instance-events.ts';
export type * from './events/initializer-events.ts';
export type * from './events/health-events.ts';
export type * from './wire/topology.ts';
export type * from './wire/applications.ts';
export type * from './wire/tenancy.ts';
export * from './health-stat-envelope.ts';
export * from './broker-url.ts';
export * from './bus.ts';
export * from './event-bus.ts';
export * from './embedded-broker.ts';
export * from './broker-auth.ts';
export {
  converse,
  initialConversation,
  wakeAtOf,
  type AgentPhase,
  type ConversationEffect,
  type ConversationEvent,
  type ConversationInput,
  type ConversationOptions,
  type ConversationState,
  type ConversationStep,
} from './agent-conversation.ts';
