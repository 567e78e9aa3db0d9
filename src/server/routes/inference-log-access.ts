/**
 * How routes read the inference log: its folder, and — when this process serves the models itself —
 * a flush first, so a report or a request-id check sees every request answered so far rather than
 * only the segments written out (every 10,000 rows or 10 s).
 */
import { invalidParameter } from '../../core/errors.js';

/** The inference log as the routes are given it (`slipway server --inference-log DIR`). */
export interface InferenceLogRouteOptions {
  /** The log's root folder; without it, routes that read the log answer 400 naming `inference-log`. */
  inferenceLogDir?: string;
  /** Writes out what the in-process log has buffered (absent when replicas write the log). */
  flushInferenceLog?: () => Promise<void>;
}

/** The log folder after a flush of the in-process log, or undefined when the server has no log. */
export async function flushedInferenceLog(opts: InferenceLogRouteOptions): Promise<string | undefined> {
  if (!opts.inferenceLogDir) return undefined;
  await opts.flushInferenceLog?.();
  return opts.inferenceLogDir;
}

/** As {@link flushedInferenceLog}, refusing with a 400 naming `inference-log` when there is no log. */
export async function requireInferenceLog(opts: InferenceLogRouteOptions): Promise<string> {
  const dir = await flushedInferenceLog(opts);
  if (!dir)
    throw invalidParameter(
      'inference-log',
      'a server started with --inference-log DIR',
      'a server without an inference log',
    );
  return dir;
}
