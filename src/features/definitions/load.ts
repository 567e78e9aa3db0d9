/**
 * Loads a feature repo from a definitions file: YAML (`.yaml`, `.yml`) or a module (`.ts`, `.mts`,
 * `.js`, `.mjs`) whose default export is a `FeatureRepo` (or a function returning one). Relative
 * file-source paths and transform modules resolve against the definitions file's folder, and the
 * result is validated.
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { notFound, SlipwayError } from '../../core/errors.js';
import type { DataSource, FeatureRepo, FeatureScalar } from '../types.js';
import { onDemandFeatureView } from './define.js';
import { registerTransformRef } from './spec.js';
import { validateFeatureRepo } from './validate.js';
import { parseYamlRepo } from './yaml.js';

const YAML_EXTENSIONS = ['.yaml', '.yml'];
const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

type Transform = (row: Record<string, FeatureScalar>) => Record<string, FeatureScalar>;

/**
 * Node 20 cannot import TypeScript itself. When a `.ts` definitions or transform file is refused
 * for its extension, tsx (if the project has it, as TypeScript projects usually do) loads it.
 */
async function importTypeScript(url: string): Promise<Record<string, unknown>> {
  const tsxApi = 'tsx/esm/api';
  let api: { tsImport: (specifier: string, parent: string) => Promise<unknown> };
  try {
    api = (await import(tsxApi)) as typeof api;
  } catch {
    throw new Error(
      'TypeScript definitions need a TypeScript loader: install tsx (npm i -D tsx) or use a .js or .yaml file',
    );
  }
  return (await api.tsImport(url, import.meta.url)) as Record<string, unknown>;
}

/**
 * Imports a definitions or transform module (TypeScript through tsx); a missing file is
 * RESOURCE_DOES_NOT_EXIST naming `what` and the file, any other failure INVALID_PARAMETER_VALUE.
 */
export async function importModule(file: string, what: string): Promise<Record<string, unknown>> {
  try {
    const url = pathToFileURL(file).href;
    try {
      return (await import(url)) as Record<string, unknown>;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
      return await importTypeScript(url);
    }
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && (err as Error).message.includes(file))
      throw notFound(what, file);
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Could not import ${what} '${file}': ${(err as Error).message}`,
      {
        file,
      },
    );
  }
}

/** `./data/x.parquet` → absolute; absolute paths and URIs (`s3://…`) stay as written. */
function resolveSource(dir: string, source: DataSource): DataSource {
  if (source.kind !== 'file' || isAbsolute(source.path) || /^[a-z][a-z0-9+.-]*:\/\//i.test(source.path))
    return source;
  return { ...source, path: resolve(dir, source.path) };
}

async function loadYaml(file: string, shown: string): Promise<FeatureRepo> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') throw notFound('Feature definitions file', shown);
    throw err;
  }
  const { repo, onDemand } = parseYamlRepo(text, shown);
  for (const od of onDemand) {
    const module = resolve(dirname(file), od.module);
    const exported = (
      await importModule(module, `the transform module of on-demand feature view '${od.name}'`)
    )[od.export];
    if (typeof exported !== 'function')
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `On-demand feature view '${od.name}' names export '${od.export}' of '${od.module}', which is not a function`,
        { object: `on-demand feature view '${od.name}'`, field: 'export' },
      );
    const view = onDemandFeatureView({ ...od, transform: exported as Transform });
    registerTransformRef(view, { module, export: od.export });
    repo.onDemandFeatureViews.push(view);
  }
  return repo;
}

async function loadModule(file: string): Promise<FeatureRepo> {
  const mod = await importModule(file, 'feature definitions file');
  let value = mod.default;
  if (typeof value === 'function') value = await (value as () => unknown)();
  const repo = value as FeatureRepo | undefined;
  if (repo === null || typeof repo !== 'object' || typeof repo.project !== 'string')
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Feature definitions file '${file}' must default-export a feature repo (see featureRepo()), got ${typeof value}`,
      { file },
    );
  for (const view of Array.isArray(repo.onDemandFeatureViews) ? repo.onDemandFeatureViews : []) {
    const name = Object.entries(mod).find(([k, v]) => k !== 'default' && v === view.transform)?.[0];
    registerTransformRef(view, name === undefined ? { module: file } : { module: file, export: name });
  }
  return repo;
}

/**
 * Reads, resolves and validates the definitions in `path`.
 *
 * @example
 * const repo = await loadFeatureRepo('features/definitions.yaml');
 * const plan = await platform.features.plan(repo);
 */
export async function loadFeatureRepo(path: string): Promise<FeatureRepo> {
  const file = resolve(path);
  const ext = extname(file).toLowerCase();
  let repo: FeatureRepo;
  if (YAML_EXTENSIONS.includes(ext)) repo = await loadYaml(file, path);
  else if (MODULE_EXTENSIONS.includes(ext)) repo = await loadModule(file);
  else
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Feature definitions file '${path}' must end in ${[...YAML_EXTENSIONS, ...MODULE_EXTENSIONS].join(', ')}`,
      { field: 'path' },
    );
  const dir = dirname(file);
  const resolved = Array.isArray(repo.sources)
    ? { ...repo, sources: repo.sources.map((s) => resolveSource(dir, s)) }
    : repo;
  validateFeatureRepo(resolved);
  return resolved;
}
