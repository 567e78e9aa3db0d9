/**
 * The composition root: opens the stores a config names and wires the domain services over them.
 * Backends are picked by URI scheme and imported only when used.
 */
import { type Clock, systemClock } from './core/clock.js';
import type { SlipwayConfig } from './core/config.js';
import { SlipwayError } from './core/errors.js';
import { DatasetRegistry } from './datasets/dataset-registry.js';
import { FeatureRegistry } from './features/feature-registry.js';
import { MaterializationLog } from './features/materialization-log.js';
import { RegistryCatalogs } from './features/registry-catalog.js';
import type { OnlineStore } from './features/types.js';
import type { AlertStore } from './monitoring/alerts/types.js';
import type { EventStore } from './monitoring/business/types.js';
import type { LabelStore } from './monitoring/performance/types.js';
import type { ProfileStore } from './monitoring/profiles/profile-store.js';
import { RegistryService } from './registry/service.js';
import type { ArtifactStore } from './tracking/artifacts.js';
import { RunArtifacts } from './tracking/run-artifacts.js';
import { TrackingService } from './tracking/service.js';

export interface Platform {
  readonly config: SlipwayConfig;
  readonly tracking: TrackingService;
  readonly registry: RegistryService;
  readonly artifacts: RunArtifacts;
  /** Versioned feature definitions (plan/apply). */
  readonly features: FeatureRegistry;
  /** Feature catalogs served from the registry, per project, refreshed when definitions change. */
  readonly featureCatalogs: RegistryCatalogs;
  /** Versioned datasets (training sets) with content hashes. */
  readonly datasets: DatasetRegistry;
  /** The online feature store, opened on first use (see `PlatformOptions.onlineStore`). */
  onlineStore(): Promise<OnlineStore>;
  /** Materialization runs: freshness, statistics and validation reports per feature view. */
  readonly materializations: MaterializationLog;
  /** Ground-truth labels joined to logged predictions (monitoring's performance). */
  readonly labels: LabelStore;
  /** Outcome events (`converted`, `chargeback_amount`) joined to logged predictions (business metrics). */
  readonly events: EventStore;
  /** Alert rules, alert states and the webhook delivery outbox (monitoring's alerts). */
  readonly alerts: AlertStore;
  /** Column profiles per model, version and window (monitoring's profiles). */
  readonly profiles: ProfileStore;
  /** True while the metadata store answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

async function openArtifactStore(config: SlipwayConfig): Promise<ArtifactStore> {
  const uri = config.artifactsDestination;
  if (uri.startsWith('s3://')) {
    const { createS3ArtifactStore } = await import('./backends/s3/artifact-store.js');
    return createS3ArtifactStore(uri, config.s3);
  }
  if (uri.startsWith('file://') || uri.startsWith('/')) {
    const { createFsArtifactStore } = await import('./backends/fs/artifact-store.js');
    return createFsArtifactStore(uri);
  }
  throw new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `Invalid value for 'artifacts-destination': expected file:///path or s3://bucket/prefix, got '${uri}'`,
  );
}

/** What the platform opens besides the config's stores. */
export interface PlatformOptions {
  /** Online store URI: `redis://…`, or SQLite in the home (default). */
  onlineStore?: string;
}

/**
 * Opens every store of `config` (applying database migrations) and returns the services.
 *
 * @example
 * const platform = await openPlatform(resolveConfig({ home: './.slipway' }));
 * const exp = await platform.tracking.createExperiment({ name: 'fraud' });
 */
export async function openPlatform(
  config: SlipwayConfig,
  clock: Clock = systemClock,
  options: PlatformOptions = {},
): Promise<Platform> {
  const { openSqlDatabase } = await import('./backends/sql/connect.js');
  const { SqlTrackingStore } = await import('./backends/sql/tracking-store.js');
  const { SqlRegistryStore } = await import('./backends/sql/registry-store.js');
  const { SqlFeatureRegistryStore } = await import('./backends/sql/feature-registry-store.js');
  const { SqlDatasetStore } = await import('./backends/sql/dataset-store.js');
  const { SqlMaterializationStore } = await import('./backends/sql/materialization-store.js');
  const { SqlLabelStore } = await import('./backends/sql/label-store.js');
  const { SqlEventStore } = await import('./backends/sql/event-store.js');
  const { SqlAlertStore } = await import('./backends/sql/alert-store.js');
  const { SqlProfileStore } = await import('./backends/sql/profile-store.js');
  const sql = await openSqlDatabase(config.backendStoreUri);
  const store = await openArtifactStore(config);
  try {
    await store.init();
    const tracking = new TrackingService(new SqlTrackingStore(sql), clock);
    await tracking.init();
    const artifacts = new RunArtifacts(tracking, store, config.maxUploadBytes);
    const registry = new RegistryService(new SqlRegistryStore(sql), tracking, artifacts, clock);
    const features = new FeatureRegistry(new SqlFeatureRegistryStore(sql), clock);
    const featureCatalogs = new RegistryCatalogs(features);
    const datasets = new DatasetRegistry(new SqlDatasetStore(sql), clock);
    let online: Promise<OnlineStore> | undefined;
    const materializations = new MaterializationLog(new SqlMaterializationStore(sql), features, clock);
    return {
      config,
      tracking,
      registry,
      artifacts,
      features,
      featureCatalogs,
      datasets,
      onlineStore: () => {
        online ??= openOnlineStore(options.onlineStore, config.home);
        // A failed open is retried by the next call rather than remembered.
        online.catch(() => {
          online = undefined;
        });
        return online;
      },
      materializations,
      labels: new SqlLabelStore(sql),
      events: new SqlEventStore(sql),
      alerts: new SqlAlertStore(sql),
      profiles: new SqlProfileStore(sql, clock),
      ping: async () => {
        try {
          await tracking.getExperiment('0');
          return true;
        } catch {
          return false;
        }
      },
      close: async () => {
        await featureCatalogs.close();
        await (await online?.catch(() => undefined))?.close();
        await store.close();
        await sql.close();
      },
    };
  } catch (err) {
    await sql.close();
    throw err;
  }
}

/**
 * The online feature store a URI names: `redis://host:port[/db]` for Redis, anything else (or
 * nothing) for the embedded SQLite file `<home>/online.db`. Opened (`init`) before it is returned.
 */
export async function openOnlineStore(uri: string | undefined, home: string): Promise<OnlineStore> {
  let store: OnlineStore;
  if (uri?.startsWith('redis://') || uri?.startsWith('rediss://')) {
    const { RedisOnlineStore } = await import('./backends/online/redis-online-store.js');
    store = new RedisOnlineStore({ url: uri });
  } else if (uri === undefined || uri === 'sqlite') {
    const { SqliteOnlineStore, defaultOnlineDbPath } = await import(
      './backends/online/sqlite-online-store.js'
    );
    store = new SqliteOnlineStore({ path: defaultOnlineDbPath(home) });
  } else {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Invalid value for 'online-store': expected sqlite or redis://host:port, got '${uri}'`,
    );
  }
  await store.init();
  return store;
}
