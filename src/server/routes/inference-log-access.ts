/**
 * How routes read the inference log: its folder, and — when this process serves the models itself —
 * a flush first, so a report sees every request answered so far rather than only the segments
 * written out (every 10,000 rows or 10 s).
 */
import { invalidParameter } from '../../core/errors.js';
import type { InferenceLogAccess } from '../../monitoring/late-arrivals.js';

/** The inference log as the routes are given it (`slipway server --inference-log DIR`). */
export type InferenceLogRouteOptions = InferenceLogAccess;

/** The log folder after a flush of the in-process log; a 400 naming `inference-log` when there is no log. */
export async function requireInferenceLog(opts: InferenceLogRouteOptions): Promise<string> {
  if (!opts.inferenceLogDir)
    throw invalidParameter(
      'inference-log',
      'a server started with --inference-log DIR',
      'a server without an inference log',
    );
  await opts.flushInferenceLog?.();
  return opts.inferenceLogDir;
}
