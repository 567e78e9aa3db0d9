/**
 * Configuration, resolved once (flags over environment over `slipway.yaml` over defaults) into a
 * frozen object that is passed down. Only the CLI reads the environment and the file; this module
 * merges what it is given and validates it, so it does no I/O.
 */
import { resolve } from 'node:path';
import { invalidParameter } from './errors.js';

export type Role = 'read' | 'write' | 'admin';
export const ROLES: readonly Role[] = ['read', 'write', 'admin'];

export interface AuthToken {
  token: string;
  role: Role;
  /** Who holds it, for logs. */
  name?: string;
}

export interface S3Options {
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle?: boolean;
}

export interface SlipwayConfig {
  readonly host: string;
  readonly port: number;
  /** Folder of the embedded stores. */
  readonly home: string;
  /** `sqlite:///…` or `postgresql://…` */
  readonly backendStoreUri: string;
  /** Where proxied artifacts live: `file:///…` or `s3://bucket/prefix`. */
  readonly artifactsDestination: string;
  readonly s3: Readonly<S3Options>;
  /** Auth is on when at least one token is configured. */
  readonly auth: { readonly tokens: readonly AuthToken[] };
  /** Largest accepted artifact upload, bytes (413 beyond). */
  readonly maxUploadBytes: number;
  /** Largest accepted JSON body, bytes (413 beyond). */
  readonly maxJsonBytes: number;
  readonly logLevel: string;
}

export type ConfigInput = { [K in keyof SlipwayConfig]?: SlipwayConfig[K] | undefined };

/** Merges layers (earlier wins) over defaults and validates the result. */
export function resolveConfig(...layers: ConfigInput[]): SlipwayConfig {
  const pick = <K extends keyof SlipwayConfig>(key: K): SlipwayConfig[K] | undefined =>
    layers.find((l) => l[key] !== undefined)?.[key] as SlipwayConfig[K] | undefined;
  const home = resolve(pick('home') ?? '.slipway');
  const port = Number(pick('port') ?? 5000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw invalidParameter('port', 'a port number', pick('port'));
  const maxUploadBytes = Number(pick('maxUploadBytes') ?? 5 * 1024 ** 3);
  if (!Number.isSafeInteger(maxUploadBytes) || maxUploadBytes <= 0)
    throw invalidParameter('max-upload-bytes', 'a positive integer', pick('maxUploadBytes'));
  const tokens = pick('auth')?.tokens ?? [];
  for (const t of tokens) {
    if (!t.token) throw invalidParameter('auth.tokens[].token', 'a non-empty token', t.token);
    if (!ROLES.includes(t.role)) throw invalidParameter('auth.tokens[].role', ROLES.join(' | '), t.role);
  }
  return Object.freeze({
    host: pick('host') ?? '127.0.0.1',
    port,
    home,
    backendStoreUri: pick('backendStoreUri') ?? `sqlite:///${home}/slipway.db`,
    artifactsDestination: pick('artifactsDestination') ?? `file://${home}/artifacts`,
    s3: Object.freeze({ ...(pick('s3') ?? {}) }),
    auth: Object.freeze({ tokens: Object.freeze([...tokens]) }),
    maxUploadBytes,
    maxJsonBytes: Number(pick('maxJsonBytes') ?? 32 * 1024 ** 2),
    logLevel: pick('logLevel') ?? 'info',
  });
}

/**
 * Parses `SLIPWAY_AUTH_TOKENS`-style lists: `role:token[:name],…`, e.g. `admin:s3cret,read:viewer-token:ci`.
 */
export function parseTokenList(text: string): AuthToken[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [role, token, name] = entry.split(':');
      if (!ROLES.includes(role as Role) || !token)
        throw invalidParameter('auth tokens', 'role:token entries with role read, write or admin', entry);
      return { role: role as Role, token, ...(name ? { name } : {}) };
    });
}

/**
 * The metadata store's URI when it is PostgreSQL: what PostgreSQL feature sources without a
 * `connection` of their own read from.
 */
export function metadataPostgresUri(config: Pick<SlipwayConfig, 'backendStoreUri'>): string | undefined {
  const uri = config.backendStoreUri;
  return uri.startsWith('postgresql://') || uri.startsWith('postgres://') ? uri : undefined;
}
