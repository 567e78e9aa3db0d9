/**
 * The SDK in-process: the same calls as the HTTP client, made directly on a Platform's services
 * (no server, no network). Each method is a thin adapter over one service call.
 */
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { buildRegistryTrainingSet } from '../datasets/registry-training-set.js';
import { readOnlineFeatures } from '../features/online-request.js';
import type { Platform } from '../platform.js';
import { checkHistoricalInput } from './feature-calls.js';
import { localMonitoring } from './local-monitoring.js';
import { downloadModelVersion } from './model-download.js';
import { withMetricDefaults, withSourceTags } from './run-defaults.js';
import type {
  DatasetsApi,
  ExperimentsApi,
  FeaturesApi,
  ModelsApi,
  MonitoringApi,
  RunsApi,
  SlipwayClient,
} from './types.js';

/** How a LocalClient reaches what is not in the platform's stores. */
export interface LocalClientOptions {
  /** The inference log's root folder, for `client.monitoring` (request-id checks and reports). */
  inferenceLogDir?: string;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * A SlipwayClient over an opened Platform; `close()` closes the platform.
 *
 * @example
 * const client = new LocalClient(await openPlatform(resolveConfig({ home: './.slipway' })), {
 *   inferenceLogDir: './inference-log',
 * });
 */
export class LocalClient implements SlipwayClient {
  readonly experiments: ExperimentsApi;
  readonly runs: RunsApi;
  readonly models: ModelsApi;
  readonly features: FeaturesApi;
  readonly datasets: DatasetsApi;
  readonly monitoring: MonitoringApi;

  constructor(
    readonly platform: Platform,
    opts: LocalClientOptions = {},
  ) {
    const { tracking, registry, artifacts } = platform;
    this.experiments = {
      create: (input) => tracking.createExperiment(input),
      get: (id) => tracking.getExperiment(id),
      getByName: (name) => tracking.getExperimentByName(name),
      search: (opts) => tracking.searchExperiments(opts),
      rename: (id, name) => tracking.renameExperiment(id, name),
      delete: (id) => tracking.deleteExperiment(id),
      restore: (id) => tracking.restoreExperiment(id),
      setTag: (id, key, value) => tracking.setExperimentTag(id, { key, value }),
    };
    this.runs = {
      create: (opts = {}) => tracking.createRun({ ...opts, tags: withSourceTags(opts.tags) }),
      get: (id) => tracking.getRun(id),
      update: (id, patch) => tracking.updateRun(id, patch),
      end: (id, status = 'FINISHED') => tracking.updateRun(id, { status, endTime: Date.now() }),
      delete: (id) => tracking.deleteRun(id),
      restore: (id) => tracking.restoreRun(id),
      logBatch: (id, batch) =>
        tracking.logBatch(id, { ...batch, metrics: withMetricDefaults(batch.metrics) }),
      logMetric: (id, key, value, opts) => tracking.logMetric(id, key, value, opts),
      logParam: (id, key, value) => tracking.logParam(id, key, value),
      setTag: (id, key, value) => tracking.setTag(id, key, value),
      deleteTag: (id, key) => tracking.deleteTag(id, key),
      getMetricHistory: (id, key, page) => tracking.getMetricHistory(id, key, page),
      logInputs: (id, datasets) => tracking.logInputs(id, datasets),
      search: (opts) => tracking.searchRuns(opts),
      uploadArtifact: (id, path, body) =>
        artifacts.upload(id, path, typeof body === 'string' ? Buffer.from(body) : body),
      listArtifacts: (id, path) => artifacts.list(id, path),
      downloadArtifact: async (id, path) => readAll(await artifacts.download(id, path)),
    };
    this.models = {
      create: (input) => registry.createRegisteredModel(input),
      get: (name) => registry.getRegisteredModel(name),
      rename: (name, newName) => registry.renameRegisteredModel(name, newName),
      update: (name, patch) => registry.updateRegisteredModel(name, patch.description),
      delete: (name) => registry.deleteRegisteredModel(name),
      search: (opts) => registry.searchRegisteredModels(opts),
      setTag: (name, key, value) => registry.setRegisteredModelTag(name, { key, value }),
      deleteTag: (name, key) => registry.deleteRegisteredModelTag(name, key),
      createVersion: (input) => registry.createModelVersion(input),
      getVersion: (name, version) => registry.getModelVersion(name, version),
      updateVersion: (name, version, patch) => registry.updateModelVersion(name, version, patch.description),
      deleteVersion: (name, version) => registry.deleteModelVersion(name, version),
      searchVersions: (opts) => registry.searchModelVersions(opts),
      transitionStage: (name, version, stage, archiveExisting) =>
        registry.transitionStage(name, version, stage, archiveExisting),
      setVersionTag: (name, version, key, value) =>
        registry.setModelVersionTag(name, version, { key, value }),
      deleteVersionTag: (name, version, key) => registry.deleteModelVersionTag(name, version, key),
      setAlias: (name, alias, version) => registry.setAlias(name, alias, version),
      deleteAlias: (name, alias) => registry.deleteAlias(name, alias),
      getVersionByAlias: (name, alias) => registry.getVersionByAlias(name, alias),
      resolve: (ref) => registry.resolve(ref),
      getDownloadUri: (name, version) => registry.getDownloadUri(name, version),
      downloadVersion: async (name, version, dest) =>
        downloadModelVersion(await registry.getModelVersion(name, version), dest, artifacts.store),
    };
    this.features = {
      getOnlineFeatures: (input) => readOnlineFeatures(platform, input),
      getHistoricalFeatures: async (input) => {
        const { entityRows, entitiesPath, out, ...rest } = checkHistoricalInput(input);
        const set = await buildRegistryTrainingSet(platform, {
          ...rest,
          entities: entityRows ? { rows: entityRows } : { path: entitiesPath as string },
          out: resolve(out),
        });
        const { path, digest, rows, columns, dataset, created } = set;
        return { path, digest, rows, columns, dataset, created };
      },
    };
    const { datasets } = platform;
    this.datasets = {
      get: (name, version) => datasets.get(name, version),
      list: () => datasets.list(),
      versions: (name) => datasets.versions(name),
    };
    this.monitoring = localMonitoring(platform, opts.inferenceLogDir && resolve(opts.inferenceLogDir));
  }

  close(): Promise<void> {
    return this.platform.close();
  }
}
