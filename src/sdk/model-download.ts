/**
 * Downloading a model version's files (what `models:/name/version` points at), shared by both
 * clients. They differ only in how they reach the server's artifact store: the local client reads
 * the store itself, the HTTP client goes through the server's MLflow artifact proxy. Everything else
 * — which URIs can be downloaded, path checks, the size cap, staging and replacing — lives here once.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { SlipwayError } from '../core/errors.js';
import type { ModelVersion } from '../registry/types.js';
import { checkArtifactPath } from '../tracking/artifact-path.js';
import type { ArtifactStore } from '../tracking/artifacts.js';
import { PROXIED_SCHEME, storePathOf } from '../tracking/run-artifacts.js';

/** What a download reads from: the server's artifact store, directly or through its proxy. */
export type ArtifactSource = Pick<ArtifactStore, 'stat' | 'list' | 'get'>;

/** The most bytes one download writes (all files together). */
export const MAX_DOWNLOAD_BYTES = 2 * 1024 ** 3;
/** Folders nested deeper than this are refused: a listing that never ends must not loop forever. */
const MAX_DEPTH = 64;
/** Names of in-progress downloads inside `dest`; removed whatever the outcome. */
const STAGING_PREFIX = '.slipway-download-';

export interface DownloadOptions {
  /** Cap on the bytes written (default MAX_DOWNLOAD_BYTES). */
  maxBytes?: number;
  /** Names the download in error messages, e.g. `Model version churn/3`. */
  label?: string;
}

interface Budget {
  used: number;
  readonly max: number;
  readonly uri: string;
}

/**
 * Downloads a model version's files into `dest`; see `downloadArtifacts` for what is supported.
 *
 * @example
 * const path = await downloadModelVersion(await registry.getModelVersion('churn', '3'), './models', store);
 */
export function downloadModelVersion(
  version: Pick<ModelVersion, 'name' | 'version' | 'lineage'>,
  dest: string,
  source: ArtifactSource,
  opts: DownloadOptions = {},
): Promise<string> {
  return downloadArtifacts(version.lineage.artifactUri, dest, source, {
    label: `Model version ${version.name}/${version.version}`,
    ...opts,
  });
}

/**
 * Downloads what an artifact URI names into `dest` (created if missing) and resolves to its local path.
 *
 * - `mlflow-artifacts:/…` (the server's store): a file is written to `dest/<name>`; a folder is
 *   mirrored, recursively, as `dest/<name>`, replacing whatever was there. Files stream to disk
 *   into a staging folder inside `dest` first, so a failed download leaves `dest` as it was.
 * - `file://…` and absolute paths: already local, so nothing is copied; the path itself is returned
 *   (RESOURCE_DOES_NOT_EXIST when nothing is there).
 * - Anything else (`s3://`, `http://`…): INVALID_PARAMETER_VALUE.
 *
 * Every path a listing returns must pass `checkArtifactPath` (no `..`, no absolute paths, no NUL)
 * before it is joined under `dest`; more than `maxBytes` in all fails with PAYLOAD_TOO_LARGE.
 */
export async function downloadArtifacts(
  uri: string,
  dest: string,
  source: ArtifactSource,
  opts: DownloadOptions = {},
): Promise<string> {
  const label = opts.label ?? 'Artifact';
  const local = localPathOf(uri, label);
  if (local !== undefined) {
    if (!(await exists(local)))
      throw new SlipwayError('RESOURCE_DOES_NOT_EXIST', `${label}: local path '${local}' does not exist`, {
        uri,
        path: local,
      });
    return local;
  }
  if (!uri.startsWith(PROXIED_SCHEME))
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `${label}: cannot download artifact URI '${uri}': only ${PROXIED_SCHEME}/ and local paths are supported`,
      { uri },
    );

  const root = storePathOf(uri);
  if (root === '')
    throw new SlipwayError('INVALID_PARAMETER_VALUE', `${label}: '${uri}' names the whole artifact store`, {
      uri,
    });
  const found = await source.stat(root);
  if (!found)
    throw new SlipwayError('RESOURCE_DOES_NOT_EXIST', `${label}: its files at '${uri}' do not exist`, {
      uri,
    });
  const name = root.slice(root.lastIndexOf('/') + 1);
  const budget: Budget = { used: 0, max: opts.maxBytes ?? MAX_DOWNLOAD_BYTES, uri };

  const folder = resolve(dest);
  const target = join(folder, name);
  await mkdir(folder, { recursive: true });
  const staging = await mkdtemp(join(folder, STAGING_PREFIX));
  try {
    const staged = join(staging, name);
    if (found.isDir) {
      const plan = await planFolder(source, root, budget);
      await mkdir(staged);
      for (const rel of plan.dirs) await mkdir(join(staged, rel), { recursive: true });
      for (const rel of plan.files) await fetchFile(source, `${root}/${rel}`, join(staged, rel), budget);
    } else {
      if (found.size > budget.max) throw tooLarge(budget);
      await fetchFile(source, root, staged, budget);
    }
    await rm(target, { recursive: true, force: true });
    await rename(staged, target);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return target;
}

/**
 * The relative path of one listing entry, checked before it is joined under the download folder:
 * a listing comes from the store or over the network and must never climb out of `dest`.
 *
 * @example
 * entryPath('model.onnx');   // 'model.onnx'
 * entryPath('../../.bashrc'); // throws SlipwayError INVALID_PARAMETER_VALUE
 */
export function entryPath(path: string): string {
  const rel = checkArtifactPath(path, 'artifact listing entry');
  if (rel === '')
    throw new SlipwayError('INVALID_PARAMETER_VALUE', 'An artifact listing entry has an empty path', {
      field: 'artifact listing entry',
    });
  return rel;
}

/** Walks a folder's listings (paths relative to `root`), checking every path and the declared sizes. */
async function planFolder(
  source: ArtifactSource,
  root: string,
  budget: Budget,
): Promise<{ dirs: string[]; files: string[] }> {
  const dirs: string[] = [];
  const files: string[] = [];
  const pending: { rel: string; depth: number }[] = [{ rel: '', depth: 0 }];
  let declared = 0;
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.depth >= MAX_DEPTH)
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Artifact folder '${budget.uri}' is nested more than ${MAX_DEPTH} levels deep`,
        { uri: budget.uri, maxDepth: MAX_DEPTH },
      );
    const entries = await source.list(next.rel ? `${root}/${next.rel}` : root);
    for (const entry of entries) {
      const rel = next.rel ? `${next.rel}/${entryPath(entry.path)}` : entryPath(entry.path);
      if (entry.isDir) {
        dirs.push(rel);
        pending.push({ rel, depth: next.depth + 1 });
      } else {
        files.push(rel);
        declared += entry.fileSize ?? 0;
        // Fail before writing anything when the listing already says it is too large.
        if (declared > budget.max) throw tooLarge(budget);
      }
    }
  }
  return { dirs, files };
}

/** Streams one file to `to` (a new file), counting its bytes against the budget as they arrive. */
async function fetchFile(source: ArtifactSource, from: string, to: string, budget: Budget): Promise<void> {
  // A listing may name `a/b` without listing `a` first.
  await mkdir(dirname(to), { recursive: true });
  const body = await source.get(from);
  const meter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      budget.used += chunk.length;
      callback(budget.used > budget.max ? tooLarge(budget) : null, chunk);
    },
  });
  // `wx`: a listing naming the same file twice fails instead of silently overwriting.
  await pipeline(body, meter, createWriteStream(to, { flags: 'wx' }));
}

function tooLarge(budget: Budget): SlipwayError {
  return new SlipwayError(
    'PAYLOAD_TOO_LARGE',
    `Artifacts at '${budget.uri}' are larger than the download limit of ${budget.max} bytes`,
    { uri: budget.uri, maxBytes: budget.max },
  );
}

/** The local path a `file:` URI or an absolute path names; undefined for any other URI. */
function localPathOf(uri: string, label: string): string | undefined {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch (err) {
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `${label}: cannot download artifact URI '${uri}': ${(err as Error).message}`,
        { uri },
      );
    }
  }
  return isAbsolute(uri) ? uri : undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw err;
  }
}
