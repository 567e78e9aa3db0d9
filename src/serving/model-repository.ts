/**
 * Finding model files on disk: a single artifact (a `.onnx` file, a folder with `model.onnx`, or an
 * MLflow onnx-flavor folder) and Triton-style repositories (`<root>/<model>/<version>/model.onnx`
 * with an optional `<root>/<model>/config.yaml` or `config.pbtxt`). Only reads files: nothing found
 * in a folder is ever executed or imported.
 */
import type { Dirent } from 'node:fs';
import { open, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { invalidParameter, notFound } from '../core/errors.js';
import { parseModelConfigYaml } from './model-config.js';
import { parseTritonConfig } from './triton-config.js';
import type { ModelConfig, VersionPolicy } from './types.js';

/** What a model's bytes and its configuration were read from. */
export interface ModelArtifactFiles {
  modelBytes: Buffer;
  config: Partial<ModelConfig>;
  /** The model file's path (for logs and errors). */
  source: string;
}

/** ONNX files are single protobuf messages, which cannot exceed 2 GiB (larger models use external data). */
export const MAX_MODEL_BYTES = 2 * 1024 ** 3;

const MODEL_NAME = /^[A-Za-z0-9_.-]+$/;
const VERSION = /^(?:0|[1-9][0-9]*)$/;

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Reads a model file, refusing one over `MAX_MODEL_BYTES` before reading any of it. */
async function readModelFile(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    // fstat on the open handle: the size checked is the size of the file read.
    const { size } = await handle.stat();
    if (size > MAX_MODEL_BYTES) {
      throw invalidParameter(
        path,
        'an ONNX file of at most 2 GiB (external data is not supported)',
        `${size} bytes`,
      );
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** A folder's `config.yaml` (which wins) or `config.pbtxt`; `{}` when it has neither. */
async function readFolderConfig(dir: string, label: string): Promise<Partial<ModelConfig>> {
  for (const [file, parse] of [
    ['config.yaml', parseModelConfigYaml],
    ['config.pbtxt', parseTritonConfig],
  ] as const) {
    let text: string;
    try {
      text = await readFile(join(dir, file), 'utf8');
    } catch (err) {
      if (isNotFound(err)) continue;
      throw err;
    }
    return parse(text, label ? `${label}/${file}` : file);
  }
  return {};
}

/** The file an MLflow `MLmodel` names in `flavors.onnx.data`, kept inside the folder. */
async function mlflowModelFile(dir: string, mlmodelPath: string): Promise<string> {
  const text = await readFile(mlmodelPath, 'utf8');
  let doc: unknown;
  try {
    doc = parseYaml(text, { logLevel: 'error' });
  } catch (err) {
    throw invalidParameter(
      mlmodelPath,
      'an MLflow MLmodel file in YAML',
      (err as Error).message.split('\n')[0].replace(/:$/, ''),
    );
  }
  const flavors = (doc as { flavors?: Record<string, { data?: unknown }> } | null)?.flavors;
  const onnx = flavors && typeof flavors === 'object' ? flavors.onnx : undefined;
  if (!onnx || typeof onnx !== 'object') {
    const names = flavors && typeof flavors === 'object' ? Object.keys(flavors).join(', ') : 'none';
    throw invalidParameter(
      `${mlmodelPath}: flavors.onnx`,
      'an onnx flavor (mlflow.onnx.log_model)',
      `flavors ${names}`,
    );
  }
  const data = onnx.data ?? 'model.onnx';
  if (typeof data !== 'string' || data === '' || isAbsolute(data) || data.split(/[\\/]/).includes('..')) {
    throw invalidParameter(`${mlmodelPath}: flavors.onnx.data`, 'a file name inside the model folder', data);
  }
  const file = join(dir, data);
  // Follow links before checking, so a link cannot lead the read outside the folder either. A file
  // that is not there is left to the caller's "no model" error.
  const realFile = await realpath(file).catch(() => undefined);
  if (realFile) {
    const rel = relative(await realpath(dir), realFile);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw invalidParameter(`${mlmodelPath}: flavors.onnx.data`, 'a file inside the model folder', data);
    }
  }
  return file;
}

/**
 * Reads one model artifact: a `.onnx` file; a folder holding `model.onnx` (and optionally
 * `config.yaml` or `config.pbtxt`); or a folder written by MLflow's onnx flavor, whose `MLmodel`
 * names the model file. A missing path or model file is RESOURCE_DOES_NOT_EXIST; a file of the wrong
 * kind, or one larger than 2 GiB, is INVALID_PARAMETER_VALUE. The path is named in every error.
 *
 * @example
 * const { modelBytes, config } = await readModelArtifact('/models/fraud/1');
 */
export async function readModelArtifact(path: string): Promise<ModelArtifactFiles> {
  const info = await statOrUndefined(path);
  if (!info) throw notFound('Model artifact', path, `Model artifact '${path}' does not exist`);
  if (info.isFile()) {
    if (!path.toLowerCase().endsWith('.onnx')) {
      throw invalidParameter(path, 'an ONNX model file (.onnx) or a model folder', 'another kind of file');
    }
    return { modelBytes: await readModelFile(path), config: {}, source: path };
  }
  if (!info.isDirectory()) throw invalidParameter(path, 'an ONNX model file or a model folder', 'neither');

  const mlmodel = join(path, 'MLmodel');
  const file = (await statOrUndefined(mlmodel))?.isFile()
    ? await mlflowModelFile(path, mlmodel)
    : join(path, 'model.onnx');
  if (!(await statOrUndefined(file))?.isFile()) {
    const hint = (await hasVersionFolders(path))
      ? ' (it looks like a model in a Triton-style repository: serve its parent folder as a model repository)'
      : '';
    throw notFound(
      'Model file',
      file,
      `No model in '${path}': expected model.onnx or an MLflow MLmodel with an onnx flavor${hint}`,
    );
  }
  return { modelBytes: await readModelFile(file), config: await readFolderConfig(path, path), source: file };
}

async function subfolders(dir: string): Promise<Dirent[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: Dirent[] = [];
  for (const e of entries) {
    // A linked folder counts as a folder: repositories are often assembled from links.
    if (
      e.isDirectory() ||
      (e.isSymbolicLink() && (await statOrUndefined(join(dir, e.name)))?.isDirectory())
    ) {
      out.push(e);
    }
  }
  return out;
}

async function hasVersionFolders(dir: string): Promise<boolean> {
  return (await subfolders(dir)).some((e) => VERSION.test(e.name));
}

/** Numeric order for canonical version strings of any length ("9" < "10"). */
function compareVersions(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The versions a policy serves out of those available, in ascending numeric order: `latest` the
 * highest `count`, `all` every one, `specific` the ones listed (each must be available, else
 * RESOURCE_DOES_NOT_EXIST naming it).
 *
 * @example
 * selectVersions(['1', '2', '10'], { kind: 'latest', count: 2 }) // ['2', '10']
 */
export function selectVersions(available: string[], policy: VersionPolicy): string[] {
  const sorted = [...new Set(available)].sort(compareVersions);
  if (policy.kind === 'all') return sorted;
  if (policy.kind === 'latest') {
    if (!Number.isInteger(policy.count) || policy.count < 1) {
      throw invalidParameter('version_policy.latest.num_versions', 'an integer ≥ 1', policy.count);
    }
    return sorted.slice(-policy.count);
  }
  for (const v of policy.versions) {
    if (!sorted.includes(v)) {
      const have = sorted.length ? sorted.join(', ') : 'none';
      throw notFound(
        'Model version',
        v,
        `Model version '${v}' named by version_policy.specific does not exist (available: ${have})`,
      );
    }
  }
  return sorted.filter((v) => policy.versions.includes(v));
}

/** Checks a model name that may come from a request, so it can never step outside the repository. */
export function checkModelName(name: string): string {
  if (
    typeof name !== 'string' ||
    !MODEL_NAME.test(name) ||
    name === '.' ||
    name === '..' ||
    name.length > 255
  ) {
    throw invalidParameter('model', 'a name of letters, digits, ., _ and - (not . or ..)', name);
  }
  return name;
}

/**
 * A Triton-style model repository: `<root>/<model>/<version>/model.onnx`, with the model's
 * configuration in `<root>/<model>/config.yaml` (ours) or `config.pbtxt` (Triton's).
 */
export class ModelRepository {
  constructor(readonly root: string) {}

  /** Model folders holding at least one numeric version folder, sorted by name. */
  async listModels(): Promise<string[]> {
    let models: Dirent[];
    try {
      models = await subfolders(this.root);
    } catch (err) {
      if (isNotFound(err)) throw notFound('Model repository', this.root);
      throw err;
    }
    const names: string[] = [];
    for (const m of models) {
      if (MODEL_NAME.test(m.name) && (await hasVersionFolders(join(this.root, m.name)))) names.push(m.name);
    }
    return names.sort();
  }

  /** The model folder, after checking the name; RESOURCE_DOES_NOT_EXIST when there is none. */
  private async modelDir(name: string): Promise<string> {
    const dir = join(this.root, checkModelName(name));
    if (!(await statOrUndefined(dir))?.isDirectory()) {
      // The message leaves out the repository's path: it goes back to whoever asked over HTTP.
      throw notFound('Model', name, `Model '${name}' does not exist in the model repository`);
    }
    return dir;
  }

  /** `<model>/config.yaml` or, when absent, `<model>/config.pbtxt`; `{}` when neither exists. */
  async modelConfig(name: string): Promise<Partial<ModelConfig>> {
    return readFolderConfig(await this.modelDir(name), name);
  }

  /** Numeric version folders holding a `model.onnx`, in ascending numeric order. */
  async availableVersions(name: string): Promise<string[]> {
    const dir = await this.modelDir(name);
    const versions: string[] = [];
    for (const e of await subfolders(dir)) {
      if (VERSION.test(e.name) && (await statOrUndefined(join(dir, e.name, 'model.onnx')))?.isFile()) {
        versions.push(e.name);
      }
    }
    return versions.sort(compareVersions);
  }

  /** One version's model bytes with the model's configuration. */
  async readVersion(name: string, version: string): Promise<ModelArtifactFiles> {
    const dir = await this.modelDir(name);
    if (typeof version !== 'string' || !VERSION.test(version)) {
      throw invalidParameter('version', 'a version number', version);
    }
    const file = join(dir, version, 'model.onnx');
    if (!(await statOrUndefined(file))?.isFile()) {
      throw notFound(
        'Model version',
        `${name}/${version}`,
        `Model '${name}' has no version ${version} (no ${version}/model.onnx in its folder)`,
      );
    }
    return { modelBytes: await readModelFile(file), config: await this.modelConfig(name), source: file };
  }
}
