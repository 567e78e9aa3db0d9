/**
 * The inference log as serving processes open it (`slipway serve` / `slipway server` with
 * `--inference-log DIR`): the sink (writing and profiling in its worker thread), the hook's
 * options, the drop counter wired to the engine's `/metrics`, and the order to close them in.
 */
import type { InferenceEngine, InferenceLogSink } from '../../serving/types.js';
import type { ProfileStore } from '../profiles/profile-store.js';
import { checkSampleRate } from './config.js';
import { engineFeatureNames } from './feature-names.js';
import { openParquetInferenceLog, type ParquetInferenceLog } from './parquet-inference-log.js';
import type { RetentionPolicy } from './types.js';

/** The default profile window while serving: one hour (a window's profile is ~6 KB per column, whatever the traffic). */
export const DEFAULT_PROFILE_WINDOW_MS = 3_600_000;

export interface ServingLogSettings {
  dir: string;
  /** Share of requests recorded (default 1). */
  sampleRate?: number;
  retention?: RetentionPolicy;
  /** Profile window in ms (default 1 minute); `false`: no profiles while serving. */
  profileWindowMs?: number | false;
  /**
   * Where closed profile windows are merged (`slipway server` passes `platform.profiles`); without
   * a store they are JSON sidecars beside the segments.
   */
  profiles?: ProfileStore;
}

/** An engine whose metrics count dropped log records (`slipway_inference_log_dropped_total`). */
type EngineWithMetrics = InferenceEngine & { metrics?: { logDropped: { inc(n: number): void } } };

export interface ServingLog {
  log: ParquetInferenceLog;
  /** For `openInferenceEngine({ inferenceLog })`. */
  hook: { sink: InferenceLogSink; sampleRate: number };
  /** Tells the log which engine it records (feature names, the drop metric); call once the engine is open. */
  attach(engine: EngineWithMetrics): void;
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
  let engine: EngineWithMetrics | undefined;
  const window = settings.profileWindowMs ?? DEFAULT_PROFILE_WINDOW_MS;
  const log = await openParquetInferenceLog({
    dir: settings.dir,
    retention: settings.retention,
    featureNames: engineFeatureNames(() => engine),
    profileWindowMs: window === false ? undefined : window,
    profiles: settings.profiles,
    onDrop: (n) => engine?.metrics?.logDropped.inc(n),
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
