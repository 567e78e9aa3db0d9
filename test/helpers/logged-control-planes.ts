/**
 * Two listening control planes over one inference log, for the routes of late arrivals (labels,
 * outcome events): `bare` without an inference log, `logged` started with `--inference-log` over the
 * records written here (in `bare`'s home). `postJson` posts a body to a plane.
 */
import { join } from 'node:path';
import { openParquetInferenceLog } from '../../src/monitoring/inference-log/index.js';
import type { InferenceRecord } from '../../src/serving/types.js';
import { type ListeningControlPlane, startControlPlane } from './control-plane.js';

export interface LoggedControlPlanes {
  bare: ListeningControlPlane;
  logged: ListeningControlPlane;
  logDir: string;
  close(): Promise<void>;
}

/**
 * Writes `records` as an inference log and starts both planes.
 *
 * @example
 * const { bare, logged, close } = await startLoggedControlPlanes([record('q1', 0.5)]);
 */
export async function startLoggedControlPlanes(records: InferenceRecord[]): Promise<LoggedControlPlanes> {
  const bare = await startControlPlane({ listen: true });
  const logDir = join(bare.home, 'inference-log');
  const log = await openParquetInferenceLog({ dir: logDir, replicaId: 'r' });
  log.write(records);
  await log.close();
  const logged = await startControlPlane({ listen: true, server: { inferenceLogDir: logDir } });
  return {
    bare,
    logged,
    logDir,
    close: async () => {
      await logged.close();
      await bare.close();
    },
  };
}

/** POSTs `body` as JSON to `path` of `plane`. */
export function postJson(plane: ListeningControlPlane, path: string, body: unknown): Promise<Response> {
  return fetch(`${plane.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
