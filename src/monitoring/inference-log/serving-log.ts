/**
 * The inference log as serving processes open it (`slipway serve` / `slipway server` with
 * `--inference-log DIR`): the sink, the hook's options, and the order to close them in.
 */
import type { InferenceEngine, InferenceLogSink } from '../../serving/types.js';
import { checkSampleRate } from './config.js';
import { engineFeatureNames } from './feature-names.js';
import { openParquetInferenceLog, type ParquetInferenceLog } from './parquet-inference-log.js';
import type { RetentionPolicy } from './types.js';

export interface ServingLogSettings {
  dir: string;
  /** Share of requests recorded (default 1). */
  sampleRate?: number;
  retention?: RetentionPolicy;
}

export interface ServingLog {
  log: ParquetInferenceLog;
  /** For `openInferenceEngine({ inferenceLog })`. */
  hook: { sink: InferenceLogSink; sampleRate: number };
  /** Tells the log which engine it records (for feature names); call once the engine is open. */
  attach(engine: InferenceEngine): void;
}

/**
 * Opens the log for a serving process; close it after the engine (`await engine.close(); await log.close()`).
 *
 * @example
 * const served = await openServingLog({ dir: './inference-log', sampleRate: 0.1 }, (e) => console.error(e));
 * const engine = await openInferenceEngine({ repository: './models', inferenceLog: served.hook });
 * served.attach(engine);
 */
export async function openServingLog(
  settings: ServingLogSettings,
  onError: (err: unknown) => void,
): Promise<ServingLog> {
  const sampleRate = checkSampleRate(settings.sampleRate ?? 1, 'inference-log-sample-rate');
  let engine: InferenceEngine | undefined;
  const log = await openParquetInferenceLog({
    dir: settings.dir,
    retention: settings.retention,
    featureNames: engineFeatureNames(() => engine),
    onError,
  });
  return {
    log,
    hook: { sink: log, sampleRate },
    attach: (e) => {
      engine = e;
    },
  };
}
