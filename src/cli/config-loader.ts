/**
 * Gathers the configuration layers the CLI owns — command-line flags, the environment and
 * `slipway.yaml` — and hands them to `resolveConfig`, which merges them (flags over environment over
 * file over defaults). This is the only place that reads the environment or the config file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  type AuthToken,
  type ConfigInput,
  parseTokenList,
  ROLES,
  type Role,
  resolveConfig,
  type S3Options,
  type SlipwayConfig,
} from '../core/config.js';
import { invalidParameter, SlipwayError } from '../core/errors.js';

/** The environment as the CLI sees it (a plain record, so tests can pass their own). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Everything `loadConfig` reads from. */
export interface ConfigSources {
  /** Values given on the command line (already camelCase, as commander names them). */
  flags: ConfigInput;
  env: Env;
  /** Relative paths in flags and the environment are resolved against this folder. */
  cwd: string;
  /** `--config FILE`; when absent, `SLIPWAY_CONFIG`, then `./slipway.yaml` if it exists. */
  configPath?: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const TOP_KEYS = [
  'host',
  'port',
  'home',
  'backendStoreUri',
  'artifactsDestination',
  's3',
  'auth',
  'maxUploadBytes',
  'maxJsonBytes',
  'logLevel',
] as const;
const S3_KEYS = ['endpoint', 'region', 'accessKeyId', 'secretAccessKey', 'forcePathStyle'] as const;
const TOKEN_KEYS = ['token', 'role', 'name'] as const;

/** `backend-store-uri` and `backend_store_uri` → `backendStoreUri`. */
const camel = (key: string): string => key.replace(/[-_]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

type YamlMap = Record<string, unknown>;
/** A layer still being built (`ConfigInput` itself is read-only). */
type Layer = { -readonly [K in keyof ConfigInput]: ConfigInput[K] };

function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Normalises a mapping's keys to camelCase, rejecting keys that mean nothing here. */
function knownKeys(map: YamlMap, known: readonly string[], where: string, source: string): YamlMap {
  const out: YamlMap = {};
  for (const [key, value] of Object.entries(map)) {
    const name = camel(key);
    if (!known.includes(name)) {
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Unknown key '${where}${key}' in ${source}; known keys here: ${known.map(kebab).join(', ')}`,
        { field: `${where}${key}` },
      );
    }
    out[name] = value;
  }
  return out;
}

function str(map: YamlMap, key: string, where: string): string | undefined {
  const value = map[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') throw invalidParameter(`${where}${kebab(key)}`, 'a string', value);
  return value;
}

function int(value: unknown, field: string, expected = 'a non-negative integer'): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw invalidParameter(field, expected, value);
  return n;
}

function logLevel(value: string | undefined, field: string): string | undefined {
  if (value !== undefined && !LOG_LEVELS.includes(value))
    throw invalidParameter(field, LOG_LEVELS.join(' | '), value);
  return value;
}

function fileTokens(value: unknown, source: string): AuthToken[] {
  if (!Array.isArray(value)) throw invalidParameter('auth.tokens', 'a list of {token, role, name?}', value);
  return value.map((entry, i) => {
    const where = `auth.tokens[${i}].`;
    if (!isMap(entry)) throw invalidParameter(`auth.tokens[${i}]`, 'a mapping {token, role, name?}', entry);
    const t = knownKeys(entry, TOKEN_KEYS, where, source);
    const role = str(t, 'role', where);
    if (!ROLES.includes(role as Role)) throw invalidParameter(`${where}role`, ROLES.join(' | '), role);
    const name = str(t, 'name', where);
    return { token: str(t, 'token', where) ?? '', role: role as Role, ...(name ? { name } : {}) };
  });
}

/**
 * Parses the text of a `slipway.yaml`. Keys may be kebab-case, snake_case or camelCase; a relative
 * `home` is taken relative to the file's folder. Unknown keys are errors that name the key.
 *
 * @example
 * parseConfigFile('port: 5001\nbackend-store-uri: postgresql://db/slipway\n', '/etc/slipway.yaml');
 * // { port: 5001, backendStoreUri: 'postgresql://db/slipway' }
 */
export function parseConfigFile(text: string, source: string): ConfigInput {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new SlipwayError('INVALID_PARAMETER_VALUE', `Could not parse ${source}: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isMap(doc))
    throw new SlipwayError('INVALID_PARAMETER_VALUE', `${source} must hold a mapping of settings`);
  const m = knownKeys(doc, TOP_KEYS, '', source);
  const out: Layer = {
    host: str(m, 'host', ''),
    port: int(m.port, 'port', 'a port number'),
    backendStoreUri: str(m, 'backendStoreUri', ''),
    artifactsDestination: str(m, 'artifactsDestination', ''),
    maxUploadBytes: int(m.maxUploadBytes, 'max-upload-bytes', 'a positive integer'),
    maxJsonBytes: int(m.maxJsonBytes, 'max-json-bytes', 'a positive integer'),
    logLevel: logLevel(str(m, 'logLevel', ''), 'log-level'),
  };
  const home = str(m, 'home', '');
  if (home !== undefined) out.home = resolve(dirname(resolve(source)), home);
  if (m.s3 !== undefined && m.s3 !== null) {
    if (!isMap(m.s3)) throw invalidParameter('s3', 'a mapping', m.s3);
    const s = knownKeys(m.s3, S3_KEYS, 's3.', source);
    const forcePathStyle = s.forcePathStyle;
    if (forcePathStyle !== undefined && typeof forcePathStyle !== 'boolean')
      throw invalidParameter('s3.force-path-style', 'true or false', forcePathStyle);
    out.s3 = dropUndefined({
      endpoint: str(s, 'endpoint', 's3.'),
      region: str(s, 'region', 's3.'),
      accessKeyId: str(s, 'accessKeyId', 's3.'),
      secretAccessKey: str(s, 'secretAccessKey', 's3.'),
      forcePathStyle,
    });
  }
  if (m.auth !== undefined && m.auth !== null) {
    if (!isMap(m.auth)) throw invalidParameter('auth', 'a mapping {tokens: […]}', m.auth);
    const a = knownKeys(m.auth, ['tokens'], 'auth.', source);
    out.auth = { tokens: a.tokens === undefined || a.tokens === null ? [] : fileTokens(a.tokens, source) };
  }
  return dropUndefined(out);
}

/** Reads and parses a config file; a missing file is an error naming the path. */
export function readConfigFile(path: string): ConfigInput {
  if (!existsSync(path))
    throw new SlipwayError('INVALID_PARAMETER_VALUE', `Config file ${path} does not exist`);
  return parseConfigFile(readFileSync(path, 'utf8'), path);
}

/**
 * The environment layer: `SLIPWAY_*` settings, plus the S3 variables the AWS and MLflow tools use
 * (`MLFLOW_S3_ENDPOINT_URL` or `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`).
 * Empty variables count as unset.
 */
export function configFromEnv(env: Env, cwd: string): ConfigInput {
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const home = get('SLIPWAY_HOME');
  const tokens = get('SLIPWAY_AUTH_TOKENS');
  const s3 = dropUndefined({
    endpoint: get('MLFLOW_S3_ENDPOINT_URL') ?? get('AWS_ENDPOINT_URL'),
    region: get('AWS_REGION') ?? get('AWS_DEFAULT_REGION'),
    accessKeyId: get('AWS_ACCESS_KEY_ID'),
    secretAccessKey: get('AWS_SECRET_ACCESS_KEY'),
  });
  return dropUndefined({
    host: get('SLIPWAY_HOST'),
    port: int(get('SLIPWAY_PORT'), 'SLIPWAY_PORT', 'a port number'),
    home: home === undefined ? undefined : resolve(cwd, home),
    backendStoreUri: get('SLIPWAY_BACKEND_STORE_URI'),
    artifactsDestination: get('SLIPWAY_ARTIFACTS_DESTINATION'),
    auth: tokens === undefined ? undefined : { tokens: parseTokenList(tokens) },
    maxUploadBytes: int(get('SLIPWAY_MAX_UPLOAD_BYTES'), 'SLIPWAY_MAX_UPLOAD_BYTES', 'a positive integer'),
    logLevel: logLevel(get('SLIPWAY_LOG_LEVEL'), 'SLIPWAY_LOG_LEVEL'),
    s3: Object.keys(s3).length > 0 ? s3 : undefined,
  });
}

/** Which config file applies: the explicit one, `SLIPWAY_CONFIG`, or `./slipway.yaml` when present. */
export function configFilePath(
  sources: Pick<ConfigSources, 'env' | 'cwd' | 'configPath'>,
): string | undefined {
  const explicit = sources.configPath ?? (sources.env.SLIPWAY_CONFIG?.trim() || undefined);
  if (explicit) return isAbsolute(explicit) ? explicit : resolve(sources.cwd, explicit);
  const fallback = resolve(sources.cwd, 'slipway.yaml');
  return existsSync(fallback) ? fallback : undefined;
}

/**
 * The layers for `resolveConfig`, earliest winning: flags, environment, file, then the default home.
 * S3 settings are merged
 * field by field (an endpoint from the environment keeps the region from the file).
 */
export function loadConfigLayers(sources: ConfigSources): ConfigInput[] {
  const path = configFilePath(sources);
  const file = path === undefined ? {} : readConfigFile(path);
  const env = configFromEnv(sources.env, sources.cwd);
  const flags: Layer = dropUndefined({
    ...sources.flags,
    home: sources.flags.home === undefined ? undefined : resolve(sources.cwd, sources.flags.home),
  });
  const s3: S3Options = { ...file.s3, ...env.s3, ...flags.s3 };
  if (Object.keys(s3).length > 0) flags.s3 = s3;
  // The default home is relative to the working folder the CLI was given, not the process's.
  return [flags, env, file, { home: resolve(sources.cwd, '.slipway') }];
}

/**
 * Resolves the one read-only config for this invocation.
 *
 * @example
 * const config = loadConfig({ flags: { port: 5001 }, env: process.env, cwd: process.cwd() });
 */
export function loadConfig(sources: ConfigSources): SlipwayConfig {
  return resolveConfig(...loadConfigLayers(sources));
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
