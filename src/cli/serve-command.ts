/**
 * `slipway serve`: the data plane. Serves registry model versions (`--model fraud@champion`) and/or
 * a Triton-style folder (`--model-repository ./models`) over TF Serving, KServe V2 and TorchServe
 * protocols on port 8501.
 */
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SlipwayError } from '../core/errors.js';
import { loadFeatureRepo } from '../features/definitions/index.js';
import { catalogOf } from '../features/online-features.js';
import type { OnlineStore } from '../features/types.js';
import {
  openServingLog,
  parseProfileWindow,
  type RetentionPolicy,
  type ServingLog,
} from '../monitoring/inference-log/index.js';
import { openOnlineStore } from '../platform.js';
import type { SlipwayClient } from '../sdk/types.js';
import { createServingServer } from '../server/serving-app.js';
import { type Engine, openInferenceEngine } from '../serving/engine.js';
import type { FeatureLookup } from '../serving/feature-inputs.js';
import type { ModelSource } from '../serving/model-source.js';
import { RegistrySource } from '../serving/registry-source.js';
import type { ExecutionProvider, ModelConfig } from '../serving/types.js';
import { addConnectionOptions, type ConnectionOptions, openClient, positiveInt } from './client.js';
import { loadConfig } from './config-loader.js';
import { addInferenceLogOptions } from './inference-log-options.js';
import type { CliIo } from './io.js';
import { isLoopback } from './server-command.js';

export interface ServeOptions extends ConnectionOptions {
  host: string;
  port: number;
  model?: string[];
  modelRepository?: string;
  instances?: number;
  maxBatchSize?: number;
  maxQueueDelayUs?: number;
  maxQueueSize?: number;
  timeoutMs?: number;
  executionProviders?: ExecutionProvider[];
  responseCache?: number;
  pollInterval?: number;
  logLevel: string;
  /** Feature definitions file, for models whose config.yaml declares a feature service. */
  features?: string;
  /** Online store URI (`redis://…`; default SQLite in the home). */
  onlineStore?: string;
  /** Record served requests as Parquet segments under this folder (default off). */
  inferenceLog?: string;
  inferenceLogSampleRate?: number;
  inferenceLogRetention?: RetentionPolicy;
  /** Profile window of the logged columns in ms (default 1 minute); false: no profiles. */
  inferenceLogProfileWindow?: number | false;
}

export interface RunningServing {
  readonly url: string;
  readonly engine: Engine;
  /** Whether bearer tokens are required. */
  readonly authenticated: boolean;
  close(): Promise<void>;
}

const PROVIDERS = new Set(['cpu', 'cuda', 'tensorrt']);

function providerList(value: string): ExecutionProvider[] {
  const list = value.split(',').map((p) => p.trim().toLowerCase());
  for (const p of list) {
    if (!PROVIDERS.has(p)) {
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Invalid value for '--execution-providers': expected cpu, cuda or tensorrt, got '${p}'`,
      );
    }
  }
  return list as ExecutionProvider[];
}

function nonNegativeInt(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) {
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Invalid value for '${flag}': expected a non-negative integer, got '${value}'`,
      );
    }
    return Number(value);
  };
}

/** The CLI flags that set model config defaults (a model's own config file still wins). */
function configFlags(o: ServeOptions): Partial<ModelConfig> {
  return {
    instanceCount: o.instances,
    maxBatchSize: o.maxBatchSize,
    maxQueueDelayMicros: o.maxQueueDelayUs,
    maxQueueSize: o.maxQueueSize,
    timeoutMs: o.timeoutMs,
    executionProviders: o.executionProviders,
    responseCacheSize: o.responseCache,
  };
}

/** Opens the engine and the app, and listens. */
export async function startServing(opts: ServeOptions, io: CliIo): Promise<RunningServing> {
  if (!opts.model?.length && !opts.modelRepository) {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      'Nothing to serve: pass --model NAME@ALIAS|NAME/VERSION (repeatable) or --model-repository DIR',
    );
  }
  const log = (level: string) => (msg: string) => io.err(`${level}: ${msg}\n`);
  const quiet = opts.logLevel === 'error' || opts.logLevel === 'silent';
  const logger = {
    info: quiet ? () => {} : log('info'),
    warn: quiet ? () => {} : log('warn'),
    error: log('error'),
  };
  // Tokens as for the control plane (SLIPWAY_AUTH_TOKENS or slipway.yaml); the home holds the
  // default SQLite online store.
  const { auth, home } = loadConfig({
    flags: { home: opts.home },
    env: io.env,
    cwd: io.cwd,
    configPath: opts.config,
  });
  let onlineStore: OnlineStore | undefined;
  let features: FeatureLookup | undefined;
  if (opts.features) {
    const catalog = catalogOf(await loadFeatureRepo(opts.features));
    onlineStore = await openOnlineStore(opts.onlineStore, home);
    features = { catalog: () => catalog, store: onlineStore };
  }
  let client: SlipwayClient | undefined;
  const sources: ModelSource[] = [];
  if (opts.model?.length) {
    client = await openClient(opts, io).catch(async (err) => {
      await onlineStore?.close();
      throw err;
    });
    sources.push(
      new RegistrySource(client.models, opts.model, {
        cacheDir: join(tmpdir(), `slipway-serve-${process.pid}`),
        pollIntervalMs: (opts.pollInterval ?? 5) * 1000,
      }),
    );
  }
  let served: ServingLog | undefined;
  if (opts.inferenceLog) {
    served = await openServingLog(
      {
        dir: opts.inferenceLog,
        sampleRate: opts.inferenceLogSampleRate,
        retention: opts.inferenceLogRetention,
        // No metadata store here: closed windows become JSON sidecars beside the segments.
        profileWindowMs: opts.inferenceLogProfileWindow,
      },
      (err) => logger.error(`inference log: ${(err as Error).message}`),
    );
  }
  const engine = await openInferenceEngine({
    repository: opts.modelRepository,
    sources,
    defaults: configFlags(opts),
    logger,
    features,
    inferenceLog: served?.hook,
  });
  served?.attach(engine);
  try {
    // Fastify's own info lines (one JSON line per listen) would repeat what this command prints.
    // Inference needs the `read` role, repository load/unload `write`.
    const app = await createServingServer(engine, {
      logger: quiet ? false : { level: 'warn' },
      auth: auth.tokens,
    });
    await app.listen({ host: opts.host, port: opts.port });
    const bound = app.server.address() as AddressInfo | null;
    const host = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;
    return {
      url: `http://${host}:${bound?.port ?? opts.port}`,
      engine,
      authenticated: auth.tokens.length > 0,
      close: async () => {
        await app.close();
        await engine.close();
        await served?.log.close();
        await client?.close();
        await onlineStore?.close();
      },
    };
  } catch (err) {
    await engine.close();
    await served?.log.close();
    await client?.close();
    await onlineStore?.close();
    throw err;
  }
}

/** Registers `slipway serve` under `program`. */
export function registerServeCommand(program: Command, io: CliIo): void {
  const cmd = program
    .command('serve')
    .description('serve ONNX models: TF Serving REST, KServe V2 (Triton) and TorchServe APIs, /metrics')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', "port to listen on (TF Serving's REST port)", nonNegativeInt('--port'), 8501)
    .option(
      '--model <ref>',
      'registry model to serve: NAME@ALIAS, NAME/VERSION or NAME (latest); repeatable',
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option('--model-repository <dir>', 'Triton-style folder: <dir>/<model>/<version>/model.onnx')
    .option(
      '--instances <n>',
      'ONNX Runtime sessions per model version (default: cores - 1, at least 1)',
      positiveInt('--instances'),
    )
    .option(
      '--max-batch-size <n>',
      'largest merged batch, 0 = no batching (default 1024)',
      nonNegativeInt('--max-batch-size'),
    )
    .option(
      '--max-queue-delay-us <n>',
      'how long a request may wait to fill a batch (default 0)',
      nonNegativeInt('--max-queue-delay-us'),
    )
    .option(
      '--max-queue-size <n>',
      'queued requests per version before 429 (default 1024)',
      positiveInt('--max-queue-size'),
    )
    .option(
      '--timeout-ms <n>',
      'per-request deadline, 0 = none (default 30000)',
      nonNegativeInt('--timeout-ms'),
    )
    .option(
      '--execution-providers <list>',
      'providers to try in order, e.g. cuda,cpu (CPU is always the fallback)',
      providerList,
    )
    .option(
      '--response-cache <n>',
      'cache this many responses per version (default 0 = off)',
      nonNegativeInt('--response-cache'),
    )
    .option(
      '--poll-interval <seconds>',
      'how often registry aliases are checked for moves',
      positiveInt('--poll-interval'),
    )
    .option('--log-level <level>', 'info, warn, error or silent', 'info')
    .option(
      '--features <file>',
      'feature definitions: models whose config.yaml declares features.service are called with entity keys',
    )
    .option(
      '--online-store <uri>',
      'online feature store: sqlite (default, in the home) or redis://host:port',
    );
  addInferenceLogOptions(cmd, 'record served requests as Parquet segments under this folder').option(
    '--inference-log-profile-window <duration>',
    "profile the logged inputs and outputs per window ('1h' default, '5m', '1m', 'off'), as JSON beside the segments",
    (v: string) => parseProfileWindow(v),
  );
  addConnectionOptions(cmd).action(async (opts: ServeOptions) => {
    const running = await startServing(opts, io);
    io.onShutdown(() => running.close());
    const names = running.engine
      .listModels()
      .map((m) => `${m.name}${m.defaultVersion ? `/${m.defaultVersion}` : ' (not loaded)'}`);
    io.out(`Slipway serving ${names.join(', ')} on ${running.url}\n`);
    if (!isLoopback(opts.host) && !running.authenticated) {
      io.err(
        `warning: listening on ${opts.host} with no auth tokens: anyone who can reach this port can run and unload the models. Set SLIPWAY_AUTH_TOKENS.\n`,
      );
    }
  });
}
