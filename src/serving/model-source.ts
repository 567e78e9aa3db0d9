/**
 * Where models come from. A source turns a model name into a plan: which versions to serve, how
 * to read each one's bytes and config, its labels and its default version. The engine reconciles
 * what is loaded with the plan. Two sources: a Triton-style repository folder and the registry.
 */
import { notFound } from '../core/errors.js';
import { type ModelArtifactFiles, ModelRepository, selectVersions } from './model-repository.js';
import type { ModelConfig } from './types.js';

export type { ModelArtifactFiles as ModelArtifact } from './model-repository.js';

export interface ModelPlan {
  name: string;
  /** Config for every version (the model folder's config.yaml / config.pbtxt). */
  config: Partial<ModelConfig>;
  versions: Array<{ version: string; read(): Promise<ModelArtifactFiles> }>;
  /** label or alias → version */
  labels: Record<string, string>;
  /** Answers requests that name no version. */
  defaultVersion: string;
}

export interface ModelSource {
  /** Names this source can serve. */
  list(): Promise<string[]>;
  /** RESOURCE_DOES_NOT_EXIST when the source does not know the name. */
  plan(name: string, defaults: ModelConfig): Promise<ModelPlan>;
  /** Calls `onChange(name)` when a plan may have changed (e.g. a registry alias moved). */
  watch?(onChange: (name: string) => void): () => void;
}

const byNumber = (a: string, b: string) => Number(a) - Number(b);

/** `<root>/<model>/<version>/model.onnx`, Triton's layout. */
export class RepositorySource implements ModelSource {
  private readonly repo: ModelRepository;

  constructor(readonly root: string) {
    this.repo = new ModelRepository(root);
  }

  list(): Promise<string[]> {
    return this.repo.listModels();
  }

  async plan(name: string, defaults: ModelConfig): Promise<ModelPlan> {
    const config = await this.repo.modelConfig(name);
    const available = await this.repo.availableVersions(name);
    if (available.length === 0)
      throw notFound('Model', name, `Model '${name}' has no version folders with a model.onnx`);
    const chosen = selectVersions(available, config.versionPolicy ?? defaults.versionPolicy).sort(byNumber);
    return {
      name,
      config,
      versions: chosen.map((version) => ({ version, read: () => this.repo.readVersion(name, version) })),
      labels: { ...(config.labels ?? {}) },
      defaultVersion: chosen[chosen.length - 1],
    };
  }
}
