/** Artifacts of runs: resolving artifact URIs to the store this server manages, upload, list, download. */
import type { Readable } from 'node:stream';
import { SlipwayError } from '../core/errors.js';
import { checkArtifactPath } from './artifact-path.js';
import type { ArtifactEntry, ArtifactStore } from './artifacts.js';
import type { TrackingService } from './service.js';

/** URIs of artifacts proxied by this server (MLflow's `--serve-artifacts` scheme). */
export const PROXIED_SCHEME = 'mlflow-artifacts:';

/**
 * The store path of a URI this server manages: `mlflow-artifacts:/1/<run>/artifacts/model` →
 * `1/<run>/artifacts/model`. Anything else is not ours to read or write.
 */
export function storePathOf(uri: string): string {
  if (!uri.startsWith(PROXIED_SCHEME))
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Artifact location '${uri}' is not managed by this server (expected ${PROXIED_SCHEME}/…)`,
      { field: 'artifact_uri', got: uri },
    );
  // mlflow-artifacts:/x, mlflow-artifacts:///x and mlflow-artifacts://host/x all name path x.
  let rest = uri.slice(PROXIED_SCHEME.length);
  if (rest.startsWith('//')) rest = rest.slice(2).replace(/^[^/]*/, '');
  return checkArtifactPath(rest.replace(/^\/+/, ''), 'artifact_uri');
}

export class RunArtifacts {
  constructor(
    private readonly tracking: TrackingService,
    readonly store: ArtifactStore,
    private readonly maxUploadBytes: number,
  ) {}

  /** The store path for `path` inside a run's artifact folder. */
  async pathInRun(runId: string, path = ''): Promise<string> {
    const run = await this.tracking.getRun(runId);
    const base = storePathOf(run.info.artifactUri);
    const rel = checkArtifactPath(path);
    return rel ? `${base}/${rel}` : base;
  }

  async upload(runId: string, path: string, body: Readable | Buffer): Promise<{ size: number }> {
    if (!checkArtifactPath(path))
      throw new SlipwayError('INVALID_PARAMETER_VALUE', 'An artifact path is required');
    return this.store.put(await this.pathInRun(runId, path), body, { maxBytes: this.maxUploadBytes });
  }

  async list(runId: string, path = ''): Promise<ArtifactEntry[]> {
    return this.store.list(await this.pathInRun(runId, path));
  }

  async download(runId: string, path: string): Promise<Readable> {
    return this.store.get(await this.pathInRun(runId, path));
  }

  /** Resolves `runs:/<run_id>/<path>` to the artifact URI it names; other URIs pass through. */
  async resolveUri(uri: string): Promise<string> {
    const m = /^runs:\/([^/]+)\/?(.*)$/.exec(uri);
    if (!m) return uri;
    const run = await this.tracking.getRun(m[1]);
    const rel = checkArtifactPath(m[2], 'source');
    return rel ? `${run.info.artifactUri}/${rel}` : run.info.artifactUri;
  }
}
