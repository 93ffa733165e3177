/**
 * Every driver name a provider of STRATO_IAAS_PROVIDERS may be bound to, implemented or not yet.
 * A module of its own, importing nothing, so that the settings can check bindings against it.
 */
export const DRIVER_NAMES: readonly string[] = ['mock', 'kubernetes', 'process'];
