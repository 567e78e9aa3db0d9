/**
 * The SDK over HTTP: every call is one request to the native API (`/api/v1`). Errors come back as
 * the server's SlipwayError (same code, message and details), so callers handle one error type
 * whether they talk to a server or open the stores in-process.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { type ErrorCode, SlipwayError } from '../core/errors.js';
import type { Page } from '../core/types.js';
import { ENTITIES_ARTIFACT_ROOT } from '../datasets/training-set.js';
import type { DatasetVersion } from '../datasets/types.js';
import { hashFile } from '../features/offline/result.js';
import type { OnlineFeaturesResponse } from '../features/online-features.js';
import type { ModelVersion, RegisteredModel } from '../registry/types.js';
import { checkArtifactPath } from '../tracking/artifact-path.js';
import type { ArtifactEntry } from '../tracking/artifacts.js';
import type { Experiment, Metric, Run, RunInfo } from '../tracking/types.js';
import { checkHistoricalInput } from './feature-calls.js';
import { type ArtifactSource, downloadModelVersion } from './model-download.js';
import { withMetricDefaults, withSourceTags } from './run-defaults.js';
import type {
  DatasetsApi,
  ExperimentsApi,
  FeaturesApi,
  HistoricalFeaturesResult,
  ModelsApi,
  MonitoringApi,
  RunsApi,
  SearchOptions,
  SlipwayClient,
} from './types.js';

export interface HttpClientOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
}

type Query = Record<string, string | number | string[] | undefined>;
type Body = Buffer | string | Readable;

/** Where the native API and the MLflow artifact proxy live on the server. */
const NATIVE_API = '/api/v1';
const ARTIFACT_PROXY = '/api/2.0/mlflow-artifacts';

/** One entry of the artifact proxy's listing, as MLflow spells it. */
interface ProxyFileInfo {
  path: string;
  is_dir?: boolean;
  file_size?: number;
}

interface RequestOptions {
  /** The API the path is under (default the native API). */
  api?: string;
  query?: Query;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as raw bytes (artifact uploads). */
  raw?: Body;
}

/** The code a status means when the reply carries no native error body (a proxy's 502, say). */
const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'RESOURCE_DOES_NOT_EXIST',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'REQUEST_LIMIT_EXCEEDED',
  503: 'TEMPORARILY_UNAVAILABLE',
};

/** Percent-encodes each interpolated value as one path segment: `seg\`/models/${name}\``. */
function seg(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce(
    (out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i]) : ''),
    '',
  );
}

/**
 * Encodes an artifact path segment by segment. It is checked here first because `fetch` would
 * silently resolve `..` segments away and so send a different URL than the caller meant.
 */
function artifactPath(path: string): string {
  return checkArtifactPath(path).split('/').map(encodeURIComponent).join('/');
}

async function errorOf(res: Response): Promise<SlipwayError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown; details?: unknown };
      error_code?: unknown;
      message?: unknown;
    };
    const e = body.error;
    if (e && typeof e.code === 'string' && typeof e.message === 'string') {
      const details =
        typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : {};
      return new SlipwayError(e.code as ErrorCode, e.message, details);
    }
    // The MLflow-compatible routes (the artifact proxy) answer in MLflow's shape.
    if (typeof body.error_code === 'string' && typeof body.message === 'string')
      return new SlipwayError(body.error_code as ErrorCode, body.message);
  } catch {
    // Not a native error body: fall through to the status.
  }
  const code = CODE_OF_STATUS[res.status] ?? 'INTERNAL_ERROR';
  return new SlipwayError(code, `HTTP ${res.status} ${res.statusText}: ${text.slice(0, 200)}`, {
    status: res.status,
  });
}

function searchQuery(opts: SearchOptions = {}, withView = false): Query {
  const { filter, orderBy, maxResults, pageToken, view } = opts;
  return { filter, orderBy, maxResults, pageToken, view: withView ? view : undefined };
}

/**
 * A SlipwayClient over HTTP, using the global `fetch` (whose pool keeps connections alive between calls).
 *
 * @example
 * const client = new HttpClient('http://127.0.0.1:5000', { token: 's3cret' });
 * const run = await client.runs.create({ experimentId: '1' });
 */
export class HttpClient implements SlipwayClient {
  private readonly origin: string;
  private readonly headers: Record<string, string>;
  readonly experiments: ExperimentsApi;
  readonly runs: RunsApi;
  readonly models: ModelsApi;
  readonly features: FeaturesApi;
  readonly datasets: DatasetsApi;
  readonly monitoring: MonitoringApi;

  constructor(url: string, opts: HttpClientOptions = {}) {
    this.origin = url.replace(/\/+$/, '');
    this.headers = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
    this.experiments = this.experimentsApi();
    this.runs = this.runsApi();
    this.models = this.modelsApi();
    this.features = this.featuresApi();
    this.datasets = this.datasetsApi();
    this.monitoring = this.monitoringApi();
  }

  async close(): Promise<void> {
    // Nothing to release: pooled connections close on their own when idle.
  }

  /** One request; resolves to the response (status 2xx) or throws the server's SlipwayError. */
  private async send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const url = new URL(this.origin + (opts.api ?? NATIVE_API) + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
    }
    const headers: Record<string, string> = { ...this.headers };
    let body: RequestInit['body'];
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.raw !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      // A Buffer is a view of a plain ArrayBuffer (the DOM typing only wants that spelled out).
      const raw = opts.raw;
      if (Buffer.isBuffer(raw)) body = raw as Uint8Array<ArrayBuffer>;
      else body = typeof raw === 'string' ? raw : (Readable.toWeb(raw) as ReadableStream<Uint8Array>);
    }
    let res: Response;
    try {
      // A stream body needs half-duplex mode; a Buffer or string is sent with its length.
      res = await fetch(url, {
        method,
        headers,
        body,
        ...(opts.raw instanceof Readable ? { duplex: 'half' } : {}),
      });
    } catch (err) {
      // fetch says only "fetch failed"; the reason (ECONNREFUSED, a reset…) is its cause.
      const cause = (err as Error).cause;
      const reason = cause instanceof Error ? cause.message : (err as Error).message;
      throw new SlipwayError('TEMPORARILY_UNAVAILABLE', `Cannot reach ${url.origin}: ${reason}`, {
        url: url.origin,
      });
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  private async json<T>(method: string, path: string, opts?: RequestOptions): Promise<T> {
    const res = await this.send(method, path, opts);
    return (await res.json()) as T;
  }

  private async none(method: string, path: string, opts?: RequestOptions): Promise<void> {
    const res = await this.send(method, path, opts);
    await res.body?.cancel();
  }

  private experimentsApi(): ExperimentsApi {
    return {
      create: (input) => this.json<Experiment>('POST', '/experiments', { json: input }),
      get: (id) => this.json<Experiment>('GET', seg`/experiments/${id}`),
      getByName: (name) => this.json<Experiment>('GET', seg`/experiments/by-name/${name}`),
      search: (opts) =>
        this.json<Page<Experiment>>('GET', '/experiments', { query: searchQuery(opts, true) }),
      rename: (id, name) => this.none('PATCH', seg`/experiments/${id}`, { json: { name } }),
      delete: (id) => this.none('DELETE', seg`/experiments/${id}`),
      restore: (id) => this.none('POST', seg`/experiments/${id}/restore`),
      setTag: (id, key, value) => this.none('PUT', seg`/experiments/${id}/tags/${key}`, { json: { value } }),
    };
  }

  private runsApi(): RunsApi {
    const update = (id: string, patch: object) =>
      this.json<RunInfo>('PATCH', seg`/runs/${id}`, { json: patch });
    return {
      create: (opts = {}) =>
        this.json<Run>('POST', '/runs', { json: { ...opts, tags: withSourceTags(opts.tags) } }),
      get: (id) => this.json<Run>('GET', seg`/runs/${id}`),
      update,
      end: (id, status = 'FINISHED') => update(id, { status, endTime: Date.now() }),
      delete: (id) => this.none('DELETE', seg`/runs/${id}`),
      restore: (id) => this.none('POST', seg`/runs/${id}/restore`),
      logBatch: (id, batch) =>
        this.none('POST', seg`/runs/${id}/batch`, {
          json: { ...batch, metrics: withMetricDefaults(batch.metrics) },
        }),
      logMetric: (id, key, value, opts = {}) =>
        this.none('POST', seg`/runs/${id}/metrics`, { json: { key, value, ...opts } }),
      logParam: (id, key, value) => this.none('POST', seg`/runs/${id}/params`, { json: { key, value } }),
      setTag: (id, key, value) => this.none('PUT', seg`/runs/${id}/tags/${key}`, { json: { value } }),
      deleteTag: (id, key) => this.none('DELETE', seg`/runs/${id}/tags/${key}`),
      getMetricHistory: (id, key, page = {}) =>
        this.json<Page<Metric>>('GET', seg`/runs/${id}/metrics/${key}/history`, { query: { ...page } }),
      logInputs: (id, datasets) => this.none('POST', seg`/runs/${id}/inputs`, { json: { datasets } }),
      search: (opts) => this.json<Page<Run>>('POST', '/runs/search', { json: opts }),
      // async: a refused path rejects like every other failure instead of throwing synchronously.
      uploadArtifact: async (id, path, body) =>
        this.json<{ size: number }>('PUT', `${seg`/runs/${id}/artifacts/`}${artifactPath(path)}`, {
          raw: body,
        }),
      listArtifacts: async (id, path = '') => {
        const query = { path: path === '' ? undefined : path };
        return (await this.json<{ files: ArtifactEntry[] }>('GET', seg`/runs/${id}/artifacts`, { query }))
          .files;
      },
      downloadArtifact: async (id, path) => {
        const res = await this.send('GET', `${seg`/runs/${id}/artifacts/`}${artifactPath(path)}`);
        return Buffer.from(await res.arrayBuffer());
      },
    };
  }

  private modelsApi(): ModelsApi {
    const model = (name: string) => seg`/models/${name}`;
    const version = (name: string, v: string) => seg`/models/${name}/versions/${v}`;
    const patchModel = (name: string, patch: object) =>
      this.json<RegisteredModel>('PATCH', model(name), { json: patch });
    return {
      create: (input) => this.json<RegisteredModel>('POST', '/models', { json: input }),
      get: (name) => this.json<RegisteredModel>('GET', model(name)),
      rename: (name, newName) => patchModel(name, { name: newName }),
      update: (name, patch) => patchModel(name, { description: patch.description }),
      delete: (name) => this.none('DELETE', model(name)),
      search: (opts) => this.json<Page<RegisteredModel>>('GET', '/models', { query: searchQuery(opts) }),
      setTag: (name, key, value) => this.none('PUT', seg`/models/${name}/tags/${key}`, { json: { value } }),
      deleteTag: (name, key) => this.none('DELETE', seg`/models/${name}/tags/${key}`),
      createVersion: ({ name, ...input }) =>
        this.json<ModelVersion>('POST', `${model(name)}/versions`, { json: input }),
      getVersion: (name, v) => this.json<ModelVersion>('GET', version(name, v)),
      updateVersion: (name, v, patch) =>
        this.json<ModelVersion>('PATCH', version(name, v), { json: { description: patch.description } }),
      deleteVersion: (name, v) => this.none('DELETE', version(name, v)),
      searchVersions: (opts) =>
        this.json<Page<ModelVersion>>('GET', '/model-versions', { query: searchQuery(opts) }),
      transitionStage: (name, v, stage, archiveExisting = false) =>
        this.json<ModelVersion>('POST', `${version(name, v)}/stage`, {
          json: { stage, archiveExistingVersions: archiveExisting },
        }),
      setVersionTag: (name, v, key, value) =>
        this.none('PUT', seg`/models/${name}/versions/${v}/tags/${key}`, { json: { value } }),
      deleteVersionTag: (name, v, key) => this.none('DELETE', seg`/models/${name}/versions/${v}/tags/${key}`),
      setAlias: (name, alias, v) =>
        this.none('PUT', seg`/models/${name}/aliases/${alias}`, { json: { version: v } }),
      deleteAlias: (name, alias) => this.none('DELETE', seg`/models/${name}/aliases/${alias}`),
      getVersionByAlias: (name, alias) =>
        this.json<ModelVersion>('GET', seg`/models/${name}/aliases/${alias}`),
      resolve: (ref) => this.json<ModelVersion>('GET', '/model-versions/resolve', { query: { ref } }),
      getDownloadUri: async (name, v) =>
        (await this.json<{ artifactUri: string }>('GET', `${version(name, v)}/download-uri`)).artifactUri,
      downloadVersion: async (name, v, dest) =>
        downloadModelVersion(
          await this.json<ModelVersion>('GET', version(name, v)),
          dest,
          this.artifactProxy(),
        ),
    };
  }

  private featuresApi(): FeaturesApi {
    return {
      getOnlineFeatures: (input) =>
        this.json<OnlineFeaturesResponse>('POST', '/features/online', { json: input }),
      // The server builds the set from rows sent inline (or a file uploaded first, content-addressed
      // so a re-send stores nothing new), keeps it under its dataset, and this downloads it to `out`.
      getHistoricalFeatures: async (input) => {
        const { entityRows, entitiesPath, out, ...rest } = checkHistoricalInput(input);
        let entitiesArtifact: string | undefined;
        if (entitiesPath !== undefined) {
          const ext = extname(entitiesPath).toLowerCase() === '.csv' ? '.csv' : '.parquet';
          const hex = (await hashFile(entitiesPath)).replace(/^sha256:/, '');
          entitiesArtifact = `${ENTITIES_ARTIFACT_ROOT}/${hex}${ext}`;
          await this.none('PUT', `/artifacts/${artifactPath(entitiesArtifact)}`, {
            api: ARTIFACT_PROXY,
            raw: createReadStream(entitiesPath),
          });
        }
        const built = await this.json<Omit<HistoricalFeaturesResult, 'path'> & { artifactPath: string }>(
          'POST',
          '/features/historical',
          { json: { ...rest, entityRows, entitiesArtifact } },
        );
        const path = resolve(out);
        await mkdir(dirname(path), { recursive: true });
        const res = await this.send('GET', `/artifacts/${artifactPath(built.artifactPath)}`, {
          api: ARTIFACT_PROXY,
        });
        await pipeline(
          res.body ? Readable.fromWeb(res.body as NodeWebReadableStream) : Readable.from([]),
          createWriteStream(path),
        );
        const got = await hashFile(path);
        if (got !== built.digest) {
          await rm(path, { force: true });
          throw new SlipwayError(
            'INTERNAL_ERROR',
            `Downloaded training set does not match its digest (${got}, expected ${built.digest})`,
            { expected: built.digest, got },
          );
        }
        const { digest, rows, columns, dataset, created } = built;
        return { path, digest, rows, columns, dataset, created };
      },
    };
  }

  private datasetsApi(): DatasetsApi {
    return {
      get: (name, version) =>
        this.json<DatasetVersion>(
          'GET',
          version === undefined ? seg`/datasets/${name}` : seg`/datasets/${name}/versions/${String(version)}`,
        ),
      list: async () => (await this.json<{ datasets: DatasetVersion[] }>('GET', '/datasets')).datasets,
      versions: async (name) =>
        (await this.json<{ versions: DatasetVersion[] }>('GET', seg`/datasets/${name}/versions`)).versions,
    };
  }

  private monitoringApi(): MonitoringApi {
    // A report window's Date bounds travel as ISO strings, as the server parses them.
    const query = (req: object): Query =>
      Object.fromEntries(
        Object.entries(req).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : (v as Query[string])]),
      );
    return {
      logLabels: (model, labels) => this.json('POST', '/labels', { json: { model, labels } }),
      logEvents: (model, events) => this.json('POST', '/events', { json: { model, events } }),
      performance: (req) => this.json('GET', '/monitoring/performance', { query: query(req) }),
      business: (req) => this.json('GET', '/monitoring/business', { query: query(req) }),
      driftReport: (req) => this.json('GET', '/monitoring/drift', { query: query(req) }),
    };
  }

  /**
   * The server's artifact store as seen through its MLflow artifact proxy (store paths, the same as
   * `mlflow-artifacts:/…` URIs name). The proxy has no stat: an entry is looked up in its parent's listing.
   */
  private artifactProxy(): ArtifactSource {
    const list = async (path: string): Promise<ArtifactEntry[]> => {
      const query = { path: path === '' ? undefined : path };
      const body = await this.json<{ files?: ProxyFileInfo[] }>('GET', '/artifacts', {
        api: ARTIFACT_PROXY,
        query,
      });
      return (body.files ?? []).map((f) =>
        f.is_dir === true
          ? { path: f.path, isDir: true }
          : { path: f.path, isDir: false, fileSize: f.file_size },
      );
    };
    return {
      list,
      stat: async (path) => {
        const cut = path.lastIndexOf('/');
        const name = path.slice(cut + 1);
        const entry = (await list(cut < 0 ? '' : path.slice(0, cut))).find((e) => e.path === name);
        return entry && { isDir: entry.isDir, size: entry.fileSize ?? 0 };
      },
      get: async (path) => {
        const res = await this.send('GET', `/artifacts/${artifactPath(path)}`, { api: ARTIFACT_PROXY });
        return res.body ? Readable.fromWeb(res.body as NodeWebReadableStream) : Readable.from([]);
      },
    };
  }
}
