/**
 * The settings of the mock IaaS, read from environment variables. Kept beside the driver so that
 * the server's settings module can include them (`MOCK_IAAS_SETTINGS` for the README table,
 * `loadMockIaasSettings` for the values).
 */
import { infoOf, integer, list, optionalText, type SettingInfo } from '../../../settings/define.ts';
import { loadMockPatterns, type MockPatterns } from './mock-patterns.ts';

/**
 * Delay between `MemberInitializedEvent` and the mock instance's `InstanceStartedEvent`, in
 * milliseconds: the "boot" of the simulated VM.
 */
export const DEFAULT_MOCK_BOOT_DELAY_MS = 1_000;

/** Stratos's health statistics period of a mock instance: 15 s. */
export const DEFAULT_MOCK_HEALTH_INTERVAL_MS = 15_000;

/** The mock IaaS settings, ready to spread into `MockIaasOptions`. */
export interface MockIaasSettings {
  /** STRATO_MOCK_BOOT_DELAY. @default 1000 */
  bootDelayMs: number;
  /** STRATO_MOCK_HEALTH_INTERVAL. @default 15000 */
  healthIntervalMs: number;
  /** STRATO_MOCK_IAAS_CONFIG: path of the pattern file. @default undefined (no patterns) */
  patternsFile: string | undefined;
  /** The patterns read from `patternsFile`. */
  patterns: MockPatterns;
  /**
   * STRATO_MOCK_AGENTLESS_PROVIDERS: provider names whose mock instances have no simulated agent
   * (an outside cartridge agent speaks for them with the credentials of their launch payload).
   * @default []
   */
  agentlessProviders: string[];
}

/** The mock IaaS settings, declared once: README row and reader. */
const DECLARED = {
  bootDelayMs: integer(
    'STRATO_MOCK_BOOT_DELAY',
    DEFAULT_MOCK_BOOT_DELAY_MS,
    'Milliseconds a mock instance "boots" between MemberInitializedEvent and its InstanceStartedEvent.',
    { min: 0, max: 2 ** 31 - 1 },
  ),
  healthIntervalMs: integer(
    'STRATO_MOCK_HEALTH_INTERVAL',
    DEFAULT_MOCK_HEALTH_INTERVAL_MS,
    'Milliseconds between two health statistics of an active mock instance (Stratos: 15 s).',
    { min: 1, max: 2 ** 31 - 1 },
  ),
  patternsFile: optionalText(
    'STRATO_MOCK_IAAS_CONFIG',
    'Path of the mock IaaS health statistic patterns (JSON equivalent of mock-iaas.xml). Unset: every cartridge type publishes memory 20, load 20, requests in flight 1.',
  ),
  agentlessProviders: list(
    'STRATO_MOCK_AGENTLESS_PROVIDERS',
    'Comma-separated provider names (bound to the mock driver) whose mock instances get addresses but no simulated agent: a real cartridge agent, reading the launch payload (`GET /mock-iaas/api/instances/{id}` as a super-tenant admin, with its `mb.username` / `mb.password`), speaks for each.',
  ),
};

/** The documented settings of the mock IaaS, in README order. */
export const MOCK_IAAS_SETTINGS: SettingInfo[] = infoOf(Object.values(DECLARED));

/**
 * Reads the mock IaaS settings (and its pattern file) from the environment; a bad value throws an
 * Error naming the variable, a bad pattern file one naming the path and the field.
 */
export function loadMockIaasSettings(env: NodeJS.ProcessEnv = process.env): MockIaasSettings {
  const patternsFile = DECLARED.patternsFile.read(env);
  return {
    bootDelayMs: DECLARED.bootDelayMs.read(env),
    healthIntervalMs: DECLARED.healthIntervalMs.read(env),
    patternsFile,
    patterns: loadMockPatterns(patternsFile),
    agentlessProviders: DECLARED.agentlessProviders.read(env),
  };
}
