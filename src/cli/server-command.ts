/**
 * `slipway server`: resolve the config, open the platform, build the app with `createServer` and
 * listen. Everything else (routes, stores, auth) lives behind those public calls.
 */
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import client from 'prom-client';
import type { SlipwayConfig } from '../core/config.js';
import { SlipwayError } from '../core/errors.js';
import { loadFeatureRepo } from '../features/definitions/index.js';
import { catalogOf } from '../features/online-features.js';
import type { OnlineStore } from '../features/types.js';
import { businessMetricSource } from '../monitoring/business/index.js';
import {
  openServingLog,
  type ServingLog,
  type ServingLogSettings,
} from '../monitoring/inference-log/index.js';
import {
  loadMonitorConfig,
  type ModelMonitor,
  type MonitorConfig,
  type MonitorLog,
  openModelMonitor,
} from '../monitoring/monitor/index.js';
import { openOnlineStore, openPlatform } from '../platform.js';
import { LocalClient } from '../sdk/local-client.js';
import { createServer } from '../server/app.js';
import type { FeatureServing } from '../server/compat/feast/index.js';
import { type Engine, openInferenceEngine } from '../serving/engine.js';
import { RegistrySource } from '../serving/registry-source.js';
import { positiveInt } from './client.js';
import { loadConfig } from './config-loader.js';
import { addInferenceLogOptions } from './inference-log-options.js';
import type { CliIo } from './io.js';

interface ServerOptions {
  host?: string;
  port?: number;
  home?: string;
  backendStoreUri?: string;
  artifactsDestination?: string;
  maxUploadBytes?: number;
  config?: string;
  model?: string[];
  modelRepository?: string;
  features?: string;
  featureProject?: string;
  onlineStore?: string;
  inferenceLog?: string;
  inferenceLogSampleRate?: number;
  inferenceLogRetention?: ServingLogSettings['retention'];
  monitoring?: string;
}

/** Models (same engine as `slipway serve`) and features the control plane serves in-process. */
export interface InProcessModels {
  refs?: string[];
  repository?: string;
  /** Feature definitions file: mounts Feast's feature-server routes (the file as read at start). */
  features?: string;
  /**
   * Or a feature project of the registry: mounts the same routes over its applied definitions,
   * which follow later applies without a restart.
   */
  featureProject?: string;
  /** Online store URI (`redis://…`; default SQLite in the home). */
  onlineStore?: string;
  /** Record the served models' requests as Parquet segments (needs `refs` or `repository`). */
  inferenceLog?: ServingLogSettings;
  /** The monitoring loop's file, parsed (`--monitoring FILE`): SLOs, alerts, skew, performance. */
  monitoring?: MonitorConfig;
}

/** A listening control plane. */
export interface RunningServer {
  /** The base URL, with the port actually bound (useful with `--port 0`). */
  readonly url: string;
  /** Stops accepting requests, lets in-flight ones finish, then closes the stores. */
  close(): Promise<void>;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Invalid value for '--port': expected a port number (0-65535), got '${value}'`,
    );
  }
  return n;
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Hides the password of a connection URI (`postgresql://u:***@db/slipway`) before printing it. */
export function redactUri(uri: string): string {
  try {
    const url = new URL(uri);
    if (!url.password) return uri;
    url.password = '***';
    return url.toString();
  } catch {
    return uri;
  }
}

/**
 * Opens the platform for `config` and listens on its host and port. Prints nothing: the caller
 * installs its shutdown handling first, then calls `announce`, so that whoever waits for the
 * "listening" line can stop the server at once.
 *
 * @example
 * const server = await startServer(loadConfig({ flags: { port: 0 }, env: {}, cwd }));
 * announce(server, config, io);
 * // ... later
 * await server.close();
 */
export async function startServer(
  config: SlipwayConfig,
  models: InProcessModels = {},
): Promise<RunningServer> {
  if (models.features && models.featureProject) {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      "Invalid value for '--feature-project': expected either --features FILE or --feature-project NAME, not both",
      { field: 'feature-project' },
    );
  }
  // Without in-process models, --inference-log is only read: drift reports over what `slipway serve`
  // replicas wrote there (GET /api/v1/monitoring/drift).
  const platform = await openPlatform(config, undefined, { onlineStore: models.onlineStore });
  let app: Awaited<ReturnType<typeof createServer>> | undefined;
  let engine: Engine | undefined;
  let onlineStore: OnlineStore | undefined;
  let served: ServingLog | undefined;
  let monitor: ModelMonitor | undefined;
  // The monitor's lines go to the server's logger once the app exists.
  const log: MonitorLog = {
    info: (line) => app?.log.info(line),
    warn: (line) => (app ? app.log.warn(line) : process.stderr.write(`warning: ${line}\n`)),
    error: (line) => (app ? app.log.error(line) : process.stderr.write(`error: ${line}\n`)),
  };
  try {
    let features: FeatureServing | undefined;
    if (models.features) {
      const catalog = catalogOf(await loadFeatureRepo(models.features));
      onlineStore = await openOnlineStore(models.onlineStore, config.home);
      features = { catalog: () => catalog, store: onlineStore };
    } else if (models.featureProject) {
      const registryCatalog = await platform.featureCatalogs.get(models.featureProject);
      // The platform owns (and closes) this store; it is the one the native feature routes read too.
      features = { catalog: () => registryCatalog.catalog(), store: await platform.onlineStore() };
    }
    if (models.refs?.length || models.repository) {
      if (models.inferenceLog) {
        served = await openServingLog({ ...models.inferenceLog, profiles: platform.profiles }, (err) =>
          process.stderr.write(`error: inference log: ${(err as Error).message}\n`),
        );
      }
      engine = await openInferenceEngine({
        inferenceLog: served?.hook,
        repository: models.repository,
        // Models whose config.yaml declares a feature service read it from here.
        features,
        sources: models.refs?.length
          ? [
              new RegistrySource(new LocalClient(platform).models, models.refs, {
                cacheDir: join(config.home, 'serving-cache'),
                pollIntervalMs: 5000,
              }),
            ]
          : [],
      });
      served?.attach(engine);
    }
    // Without in-process serving, the control plane serves the monitor's gauges on its own /metrics.
    const metricsRegistry = models.monitoring && !engine ? new client.Registry() : undefined;
    // Reports and checks write out what the in-process log holds before they read it.
    const sink = served?.log;
    const flushInferenceLog = sink ? () => sink.flush() : undefined;
    if (models.monitoring) {
      monitor = await openModelMonitor({
        config: models.monitoring,
        stores: {
          registry: platform.registry,
          datasets: platform.datasets,
          artifacts: platform.artifacts.store,
          labels: platform.labels,
          alerts: platform.alerts,
        },
        serving: engine,
        inferenceLogDir: models.inferenceLog?.dir,
        flushLog: flushInferenceLog,
        // Alert rules on outcome events (`business.<event>.<count|sum|mean|rate>`) read the log too.
        metricSources: models.inferenceLog
          ? [businessMetricSource(platform.events, { dir: models.inferenceLog.dir })]
          : [],
        metricsRegistry: engine?.metrics.registry ?? metricsRegistry!,
        log,
      });
    }
    app = await createServer(platform, {
      serving: engine,
      features,
      inferenceLogDir: models.inferenceLog?.dir,
      flushInferenceLog,
      monitor,
      metricsRegistry,
    });
    // Fastify's own "Server listening" line would repeat the one `announce` prints.
    const level = app.log.level;
    app.log.level = 'warn';
    try {
      await app.listen({ host: config.host, port: config.port });
    } finally {
      app.log.level = level;
    }
    await monitor?.start();
  } catch (err) {
    await app?.close();
    await monitor?.close();
    await engine?.close();
    await served?.log.close();
    await onlineStore?.close();
    await platform.close();
    throw err;
  }
  const bound = app.server.address() as AddressInfo | null;
  const port = bound?.port ?? config.port;
  const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const server = app;
  return {
    url,
    close: async () => {
      try {
        await server.close();
        await monitor?.close();
        await engine?.close();
        await served?.log.close();
        await onlineStore?.close();
      } finally {
        await platform.close();
      }
    },
  };
}

/**
 * Prints the one "listening" line (with the port actually bound), and warns when a non-loopback
 * address is served without tokens.
 */
export function announce(server: RunningServer, config: SlipwayConfig, io: CliIo): void {
  io.out(
    `Slipway listening on ${server.url} (metadata: ${redactUri(config.backendStoreUri)}, artifacts: ${config.artifactsDestination})\n`,
  );
  if (!isLoopback(config.host) && config.auth.tokens.length === 0) {
    io.err(
      `warning: listening on ${config.host} with no auth tokens: anyone who can reach this port can read and ` +
        'change every experiment and model. Set SLIPWAY_AUTH_TOKENS or auth.tokens in slipway.yaml.\n',
    );
  }
}

/** Registers `slipway server` under `program`. */
export function registerServerCommand(program: Command, io: CliIo): void {
  const cmd = program
    .command('server')
    .description('run the control plane: REST API, MLflow-compatible API, registry')
    .option('--host <host>', 'address to listen on (default 127.0.0.1; env SLIPWAY_HOST)')
    .option(
      '--port <port>',
      'port to listen on, 0 for any free one (default 5000; env SLIPWAY_PORT)',
      portNumber,
    )
    .option('--home <dir>', 'folder of the embedded stores (default ./.slipway; env SLIPWAY_HOME)')
    .option(
      '--backend-store-uri <uri>',
      'metadata store: sqlite:///path or postgresql://… (default: sqlite in --home)',
    )
    .option(
      '--artifacts-destination <uri>',
      'artifact store: file:///path or s3://bucket/prefix (default: --home/artifacts)',
    )
    .option(
      '--max-upload-bytes <n>',
      'largest accepted artifact upload in bytes',
      positiveInt('--max-upload-bytes'),
    )
    .option('--config <file>', 'config file (default ./slipway.yaml when present; env SLIPWAY_CONFIG)')
    .option(
      '--model <ref>',
      'also serve this registry model in-process (NAME@ALIAS, NAME/VERSION); repeatable',
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option('--model-repository <dir>', 'also serve this Triton-style model folder in-process')
    .option(
      '--features <file>',
      'serve online features for these definitions (Feast API: /get-online-features, /push)',
    )
    .option(
      '--feature-project <name>',
      'or serve online features for the definitions applied to this registry project (follows applies)',
    )
    .option('--online-store <uri>', 'online feature store: sqlite (default, in --home) or redis://host:port');
  addInferenceLogOptions(
    cmd,
    "record the in-process models' requests as Parquet segments here; drift reports read it",
  )
    .option(
      '--monitoring <file>',
      'run the monitoring loop of this YAML file: SLOs, alert rules and webhooks, skew and performance checks',
    )
    .action(async (opts: ServerOptions) => {
      const {
        config: configPath,
        model,
        modelRepository,
        features,
        featureProject,
        onlineStore,
        inferenceLog,
        inferenceLogSampleRate,
        inferenceLogRetention,
        monitoring,
        ...flags
      } = opts;
      const config = loadConfig({ flags, env: io.env, cwd: io.cwd, configPath });
      const monitoringConfig = monitoring
        ? await loadMonitorConfig(resolve(io.cwd, monitoring), io.env)
        : undefined;
      const server = await startServer(config, {
        refs: model,
        repository: modelRepository,
        features,
        featureProject,
        onlineStore,
        inferenceLog: inferenceLog
          ? { dir: inferenceLog, sampleRate: inferenceLogSampleRate, retention: inferenceLogRetention }
          : undefined,
        monitoring: monitoringConfig,
      });
      io.onShutdown(() => server.close());
      announce(server, config, io);
    });
}
