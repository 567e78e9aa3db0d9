/** The model registry: one implementation behind the native API, the MLflow API and the SDK. */
import type { Clock } from '../core/clock.js';
import { invalidParameter, notFound, SlipwayError } from '../core/errors.js';
import type { Page, Tag } from '../core/types.js';
import {
  checkPageSize,
  checkTag,
  PROXIED_SCHEME,
  parseModelVersionFilter,
  parseOrderBy,
  parseRegisteredModelFilter,
  type Run,
  type RunArtifacts,
  type SearchOptions,
  SYSTEM_TAGS,
  storePathOf,
  type TrackingService,
} from '../tracking/index.js';
import { inspectModelArtifact } from './signature/artifact-inspector.js';
import type { RegistryStore } from './store.js';
import {
  type ModelLineage,
  type ModelSignature,
  type ModelVersion,
  type RegisteredModel,
  STAGES,
  type Stage,
} from './types.js';

export interface CreateModelVersionOptions {
  name: string;
  /** `runs:/<run>/<path>`, `mlflow-artifacts:/…` or any artifact URI. */
  source: string;
  runId?: string;
  description?: string;
  tags?: Tag[];
  runLink?: string;
  /** Overrides the signature read from the artifact (MLmodel or ONNX graph). */
  signature?: ModelSignature;
}

function checkName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw invalidParameter(field, 'a non-empty string', name);
  if (name.length > 256) throw invalidParameter(field, 'at most 256 characters', `${name.length} characters`);
  return name;
}

/** Aliases name versions, so they must not look like one (`v3`) or shadow `latest`. */
function checkAlias(alias: unknown): string {
  const a = checkName(alias, 'alias');
  if (!/^[\w-]+$/.test(a)) throw invalidParameter('alias', 'letters, digits, underscores and dashes', a);
  if (a.toLowerCase() === 'latest' || /^v\d+$/i.test(a))
    throw invalidParameter('alias', "a name other than 'latest' or 'v<number>'", a);
  return a;
}

export function canonicalStage(stage: unknown): Stage {
  const s = STAGES.find((x) => typeof stage === 'string' && x.toLowerCase() === stage.toLowerCase());
  if (!s) throw invalidParameter('stage', `one of ${STAGES.join(', ')}`, stage);
  return s;
}

export class RegistryService {
  constructor(
    private readonly store: RegistryStore,
    private readonly tracking: TrackingService,
    private readonly artifacts: RunArtifacts,
    private readonly clock: Clock,
  ) {}

  createRegisteredModel(input: {
    name: string;
    description?: string;
    tags?: Tag[];
  }): Promise<RegisteredModel> {
    return this.store.createRegisteredModel({
      name: checkName(input.name),
      description: input.description ?? '',
      tags: (input.tags ?? []).map(checkTag),
      time: this.clock.now(),
    });
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    const m = await this.store.getRegisteredModel(name);
    if (!m) throw notFound('Registered Model', name, `Registered Model with name=${name} not found`);
    return m;
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    await this.getRegisteredModel(name);
    await this.store.renameRegisteredModel(name, checkName(newName, 'new_name'), this.clock.now());
    return this.getRegisteredModel(newName);
  }

  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    await this.getRegisteredModel(name);
    await this.store.updateRegisteredModel(name, { description: description ?? '' }, this.clock.now());
    return this.getRegisteredModel(name);
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    await this.getRegisteredModel(name);
    await this.store.deleteRegisteredModel(name);
  }

  searchRegisteredModels(opts: SearchOptions = {}): Promise<Page<RegisteredModel>> {
    return this.store.searchRegisteredModels({
      filter: parseRegisteredModelFilter(opts.filter),
      orderBy: parseOrderBy(opts.orderBy, 'models'),
      maxResults: checkPageSize(opts.maxResults, 100),
      pageToken: opts.pageToken,
    });
  }

  async setRegisteredModelTag(name: string, tag: Tag): Promise<void> {
    await this.getRegisteredModel(name);
    await this.store.setRegisteredModelTag(name, checkTag(tag));
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    await this.getRegisteredModel(name);
    await this.store.deleteRegisteredModelTag(name, key);
  }

  /** Registers a version and records its lineage: run, artifact hash, signature, code and data. */
  async createModelVersion(opts: CreateModelVersionOptions): Promise<ModelVersion> {
    await this.getRegisteredModel(checkName(opts.name));
    if (typeof opts.source !== 'string' || opts.source === '')
      throw invalidParameter('source', 'an artifact URI', opts.source);
    // `runs:/<id>/…` names its run even when the client does not repeat it in run_id.
    const runId = opts.runId || /^runs:\/([^/]+)/.exec(opts.source)?.[1];
    const run = runId ? await this.tracking.getRun(runId) : undefined;
    const lineage = await this.lineageOf(opts.source, run, opts.signature);
    return this.store.createModelVersion({
      name: opts.name,
      source: opts.source,
      runId: runId ?? '',
      runLink: opts.runLink ?? '',
      description: opts.description ?? '',
      tags: (opts.tags ?? []).map(checkTag),
      lineage,
      time: this.clock.now(),
    });
  }

  private async lineageOf(
    source: string,
    run: Run | undefined,
    signature?: ModelSignature,
  ): Promise<ModelLineage> {
    const artifactUri = await this.artifacts.resolveUri(source);
    let inspected: Pick<ModelLineage, 'contentHash' | 'signature'> = { contentHash: null, signature: null };
    if (artifactUri.startsWith(PROXIED_SCHEME)) {
      // An unreadable artifact leaves the hash and signature unknown; registration still succeeds.
      inspected = await inspectModelArtifact(this.artifacts.store, storePathOf(artifactUri)).catch(
        () => inspected,
      );
    }
    const tags = new Map(run?.data.tags.map((t) => [t.key, t.value]));
    const commit = tags.get(SYSTEM_TAGS.gitCommit);
    return {
      artifactUri,
      contentHash: inspected.contentHash,
      signature: signature ?? inspected.signature,
      codeVersion: commit ? { gitCommit: commit, dirty: tags.get(SYSTEM_TAGS.gitDirty) === 'true' } : null,
      datasets: run?.inputs.datasetInputs ?? [],
    };
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    const v = await this.store.getModelVersion(name, version);
    if (!v)
      throw notFound(
        'Model Version',
        `${name}/${version}`,
        `Model Version (name=${name}, version=${version}) not found`,
      );
    return v;
  }

  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    await this.getModelVersion(name, version);
    await this.store.updateModelVersion(name, version, { description: description ?? '' }, this.clock.now());
    return this.getModelVersion(name, version);
  }

  async transitionStage(
    name: string,
    version: string,
    stage: string,
    archiveExisting = false,
  ): Promise<ModelVersion> {
    await this.getModelVersion(name, version);
    await this.store.transitionStage(name, version, canonicalStage(stage), archiveExisting, this.clock.now());
    return this.getModelVersion(name, version);
  }

  async deleteModelVersion(name: string, version: string): Promise<void> {
    await this.getModelVersion(name, version);
    await this.store.deleteModelVersion(name, version);
  }

  searchModelVersions(opts: SearchOptions = {}): Promise<Page<ModelVersion>> {
    return this.store.searchModelVersions({
      filter: parseModelVersionFilter(opts.filter),
      orderBy: parseOrderBy(opts.orderBy, 'versions'),
      maxResults: checkPageSize(opts.maxResults, 10_000),
      pageToken: opts.pageToken,
    });
  }

  /** The artifact URI to download a version from (what `models:/name/1` resolves to). */
  async getDownloadUri(name: string, version: string): Promise<string> {
    return (await this.getModelVersion(name, version)).lineage.artifactUri;
  }

  async setModelVersionTag(name: string, version: string, tag: Tag): Promise<void> {
    await this.getModelVersion(name, version);
    await this.store.setModelVersionTag(name, version, checkTag(tag));
  }

  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    await this.getModelVersion(name, version);
    await this.store.deleteModelVersionTag(name, version, key);
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.getModelVersion(name, version);
    await this.store.setAlias(name, checkAlias(alias), version);
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.getRegisteredModel(name);
    await this.store.deleteAlias(name, alias);
  }

  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    const v = await this.store.getVersionByAlias(name, alias);
    if (!v) {
      await this.getRegisteredModel(name);
      throw notFound('Alias', alias, `Registered model alias ${alias} not found.`);
    }
    return v;
  }

  /** Resolves `name@alias`, `name/3` or `name` (latest version) to a version. */
  async resolve(ref: string): Promise<ModelVersion> {
    const at = ref.lastIndexOf('@');
    if (at > 0) return this.getVersionByAlias(ref.slice(0, at), ref.slice(at + 1));
    const slash = ref.lastIndexOf('/');
    if (slash > 0) return this.getModelVersion(ref.slice(0, slash), ref.slice(slash + 1));
    const model = await this.getRegisteredModel(ref);
    const latest = model.latestVersions.reduce<ModelVersion | undefined>(
      (a, v) => (!a || Number(v.version) > Number(a.version) ? v : a),
      undefined,
    );
    if (!latest)
      throw new SlipwayError('RESOURCE_DOES_NOT_EXIST', `Registered model '${ref}' has no versions`);
    return latest;
  }
}
