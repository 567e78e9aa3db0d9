/**
 * Serving registry model versions: `fraud@champion` (follows the alias), `churn/3` (pinned), `churn`
 * (latest). Versions are downloaded once into a cache folder and read like any model folder; the
 * aliases are polled, and when one moves the engine loads the new version beside the old one and
 * switches (a hot swap). The registry is reached through the SDK, in-process or over HTTP.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidParameter } from '../core/errors.js';
import { readModelArtifact } from './model-repository.js';
import type { ModelArtifact, ModelPlan, ModelSource } from './model-source.js';

/** The registry calls serving needs (the SDK's `client.models` satisfies it). */
export interface RegistryModels {
  resolve(ref: string): Promise<{ name: string; version: string }>;
  downloadVersion(name: string, version: string, dest: string): Promise<string>;
}

export interface ModelRef {
  /** As given, e.g. `fraud@champion`. */
  ref: string;
  name: string;
  alias?: string;
  version?: string;
}

/** Parses `name@alias`, `name/version`, `name` (optionally prefixed `models:/`). */
export function parseModelRef(raw: string): ModelRef {
  const ref = raw.startsWith('models:/') ? raw.slice('models:/'.length) : raw;
  const m = /^([A-Za-z0-9_.-]+)(?:@([A-Za-z0-9_-]+)|\/(\d+))?$/.exec(ref);
  if (!m || m[1] === '.' || m[1] === '..') {
    throw invalidParameter('--model', 'NAME, NAME@ALIAS or NAME/VERSION', raw);
  }
  return { ref, name: m[1], alias: m[2], version: m[3] };
}

export class RegistrySource implements ModelSource {
  private readonly byName = new Map<string, ModelRef[]>();
  /** name → the versions the last plan resolved, to notice moves. */
  private readonly lastResolved = new Map<string, string>();

  constructor(
    private readonly registry: RegistryModels,
    refs: string[],
    private readonly opts: { cacheDir: string; pollIntervalMs: number },
  ) {
    for (const r of refs.map(parseModelRef)) {
      const list = this.byName.get(r.name) ?? [];
      list.push(r);
      this.byName.set(r.name, list);
    }
  }

  async list(): Promise<string[]> {
    return [...this.byName.keys()];
  }

  private async resolveAll(name: string): Promise<Array<{ ref: ModelRef; version: string }>> {
    const refs = this.byName.get(name) ?? [];
    return Promise.all(
      refs.map(async (ref) => ({ ref, version: (await this.registry.resolve(ref.ref)).version })),
    );
  }

  async plan(name: string): Promise<ModelPlan> {
    if (!this.byName.has(name))
      throw invalidParameter('model', `one of ${[...this.byName.keys()].join(', ')}`, name);
    const resolved = await this.resolveAll(name);
    this.lastResolved.set(name, resolved.map((r) => r.version).join(','));
    const labels: Record<string, string> = {};
    for (const r of resolved) if (r.ref.alias) labels[r.ref.alias] = r.version;
    const versions = [...new Set(resolved.map((r) => r.version))];
    return {
      name,
      config: {},
      versions: versions.map((version) => ({ version, read: () => this.read(name, version) })),
      labels,
      defaultVersion: resolved[0].version,
    };
  }

  private async read(name: string, version: string): Promise<ModelArtifact> {
    const dest = join(this.opts.cacheDir, name, version);
    await mkdir(dest, { recursive: true });
    const local = await this.registry.downloadVersion(name, version, dest);
    return readModelArtifact(local);
  }

  watch(onChange: (name: string) => void): () => void {
    let polling = false;
    const timer = setInterval(async () => {
      if (polling) return;
      polling = true;
      try {
        for (const name of this.byName.keys()) {
          const now = await this.resolveAll(name).then(
            (r) => r.map((x) => x.version).join(','),
            () => undefined,
          );
          if (now !== undefined && now !== this.lastResolved.get(name)) onChange(name);
        }
      } finally {
        polling = false;
      }
    }, this.opts.pollIntervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
