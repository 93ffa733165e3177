/**
 * The tunables of the scaling rules, with Stratos's defaults (orchestration.md §4.2). The server
 * turns them into settings; the rules take the resolved values as inputs. Timings (window length,
 * cluster monitor interval) are in TIMING_DEFAULTS (`healthStatWindow`, `clusterMonitorInterval`).
 */

/** One documented default. */
export interface ScalingDefault {
  readonly name: string;
  readonly default: number;
  readonly meaning: string;
  readonly stratos?: string;
}

export const SCALING_DEFAULTS = Object.freeze({
  /** @default 4 */
  scaleDownVerdicts: Object.freeze({
    name: 'scaleDownVerdicts',
    default: 4,
    meaning:
      'Consecutive scale-down verdicts of the scaling rule before the first member is terminated; one member is then terminated per further verdict until a verdict is not a scale-down.',
    stratos: 'scaling.drl scaleDownRequestsCount > 2 (the 4th verdict terminates)',
  }),
  /** @default 1 (second) */
  predictionHorizonSeconds: Object.freeze({
    name: 'predictionHorizonSeconds',
    default: 1,
    meaning:
      'How far ahead the rules predict a metric: predicted = average + gradient·t + ½·secondDerivative·t², gradients being per second. Stratos uses t = 1 (so one second, although its function is named "for next minute").',
    stratos: 'RuleTasksDelegator.getPredictedValueForNextMinute(..., 1)',
  }),
} satisfies Record<string, ScalingDefault>);

export type ScalingSettingName = keyof typeof SCALING_DEFAULTS;
