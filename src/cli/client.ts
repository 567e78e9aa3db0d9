/**
 * How the read commands reach the data: over HTTP when a tracking URI is given (`--tracking-uri`,
 * `SLIPWAY_TRACKING_URI`, `MLFLOW_TRACKING_URI`), otherwise in-process on the stores under `--home`.
 * Either way they get the same `SlipwayClient`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { SlipwayError } from '../core/errors.js';
import { Slipway } from '../sdk/index.js';
import type { SlipwayClient } from '../sdk/types.js';
import { loadConfig } from './config-loader.js';
import type { CliIo } from './io.js';

/** The connection flags every read command takes. */
export interface ConnectionOptions {
  trackingUri?: string;
  token?: string;
  home?: string;
  config?: string;
}

/** Adds `--tracking-uri`, `--token`, `--home` and `--config` to a command. */
export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--tracking-uri <url>', 'Slipway server URL (env SLIPWAY_TRACKING_URI, else MLFLOW_TRACKING_URI)')
    .option(
      '--token <token>',
      'bearer token for the server (env SLIPWAY_TRACKING_TOKEN, MLFLOW_TRACKING_TOKEN)',
    )
    .option('--home <dir>', 'without a tracking URI, read the stores in this folder (default ./.slipway)')
    .option('--config <file>', 'slipway.yaml to read store locations from (default ./slipway.yaml)');
}

const first = (...values: (string | undefined)[]): string | undefined =>
  values.map((v) => v?.trim()).find((v) => v !== undefined && v !== '');

/** Removes a trailing slash, so `http://host:5000/` and `http://host:5000` mean the same server. */
function normaliseUrl(uri: string): string {
  if (!/^https?:\/\//i.test(uri)) {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Invalid tracking URI '${uri}': expected http://host:port or https://…`,
      { field: 'tracking-uri' },
    );
  }
  return uri.replace(/\/+$/, '');
}

/** The file a `sqlite:` URI names (MLflow's convention: `sqlite:///rel.db`, `sqlite:////abs.db`). */
function sqliteFile(uri: string, cwd: string): string | undefined {
  if (!uri.startsWith('sqlite:')) return undefined;
  const rest = uri.replace(/^sqlite:\/\/\//, '').replace(/^sqlite:/, '');
  return rest === '' || rest === ':memory:' ? undefined : resolve(cwd, rest);
}

/** The server the flags and environment name (`--tracking-uri`, `--token`, or their variables), if any. */
export function serverOf(opts: ConnectionOptions, io: CliIo): { url: string; token?: string } | undefined {
  const url = first(opts.trackingUri, io.env.SLIPWAY_TRACKING_URI, io.env.MLFLOW_TRACKING_URI);
  if (url === undefined) return undefined;
  const token = first(opts.token, io.env.SLIPWAY_TRACKING_TOKEN, io.env.MLFLOW_TRACKING_TOKEN);
  return { url: normaliseUrl(url), token };
}

/**
 * Opens the client the flags and environment ask for. In-process, a missing SQLite store is an
 * error rather than a fresh empty one, so a mistyped `--home` is noticed.
 */
export async function openClient(opts: ConnectionOptions, io: CliIo): Promise<SlipwayClient> {
  const server = serverOf(opts, io);
  if (server !== undefined) return await Slipway.connect(server.url, { token: server.token });
  const config = loadConfig({
    flags: { home: opts.home },
    env: io.env,
    cwd: io.cwd,
    configPath: opts.config,
  });
  const dbFile = sqliteFile(config.backendStoreUri, io.cwd);
  if (dbFile !== undefined && !existsSync(dbFile)) {
    throw new SlipwayError(
      'RESOURCE_DOES_NOT_EXIST',
      `No Slipway store at ${dbFile}; pass --home DIR, or --tracking-uri URL to read from a server`,
    );
  }
  return await Slipway.open(config);
}

/** Runs `fn` with an open client and closes it afterwards, whatever happens. */
export async function withClient<T>(
  opts: ConnectionOptions,
  io: CliIo,
  fn: (client: SlipwayClient) => Promise<T>,
): Promise<T> {
  const client = await openClient(opts, io);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** True for "no such thing" errors, from either client (matched by code, not class). */
export function isNotFound(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'RESOURCE_DOES_NOT_EXIST'
  );
}

/** What `collectPages` gathered, and whether the listing went on past the limit. */
export interface Collected<T> {
  items: T[];
  more: boolean;
}

/** Reads every page of a listing, up to `limit` items, asking for at most `pageSize` per request. */
export async function collectPages<T>(
  fetchPage: (page: {
    maxResults: number;
    pageToken?: string;
  }) => Promise<{ items: T[]; nextPageToken?: string }>,
  limit: number,
  pageSize = 1000,
): Promise<Collected<T>> {
  const items: T[] = [];
  let pageToken: string | undefined;
  do {
    const page = await fetchPage({ maxResults: Math.min(pageSize, limit - items.length), pageToken });
    items.push(...page.items);
    pageToken = page.nextPageToken || undefined;
  } while (pageToken !== undefined && items.length < limit);
  return { items: items.slice(0, limit), more: pageToken !== undefined || items.length > limit };
}

/** Parses a positive integer flag value (commander option parser). */
export function positiveInt(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Invalid value for '${flag}': expected a positive integer, got '${value}'`,
      );
    }
    return n;
  };
}
