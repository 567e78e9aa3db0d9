/** The typed SDK: one `SlipwayClient` surface, over HTTP or in-process. */
import { type ConfigInput, resolveConfig } from '../core/config.js';
import { openPlatform } from '../platform.js';
import { HttpClient } from './http-client.js';
import { LocalClient, type LocalClientOptions } from './local-client.js';
import type { SlipwayClient } from './types.js';

export { datasetInput } from '../datasets/dataset-input.js';
export type { DatasetVersion } from '../datasets/types.js';
export { HttpClient, type HttpClientOptions } from './http-client.js';
export { LocalClient, type LocalClientOptions } from './local-client.js';
export type {
  BusinessMetricsReport,
  BusinessRequest,
  DatasetsApi,
  DriftReport,
  DriftRequest,
  EventInput,
  ExperimentsApi,
  FeaturesApi,
  HistoricalFeaturesInput,
  HistoricalFeaturesResult,
  LabelInput,
  LateArrivalsAccepted,
  ModelsApi,
  MonitoringApi,
  OnlineFeaturesInput,
  OnlineFeaturesResponse,
  PerformanceRequest,
  RunsApi,
  SearchOptions,
  SlipwayClient,
  WindowPerformanceReport,
} from './types.js';

/** What `Slipway.open` takes: the config of `slipway server`, and the inference log for monitoring. */
export type OpenOptions = ConfigInput & LocalClientOptions;

/** Entry points of the SDK. */
// biome-ignore lint/complexity/noStaticOnlyClass: the public API reads `Slipway.connect(…)` / `Slipway.open(…)`.
export class Slipway {
  /**
   * A client of a running Slipway server (its native API under `/api/v1`).
   *
   * @example
   * const client = Slipway.connect('http://127.0.0.1:5000', { token: process.env.SLIPWAY_TOKEN });
   * const exp = await client.experiments.create({ name: 'fraud' });
   */
  static connect(url: string, opts: { token?: string } = {}): SlipwayClient {
    return new HttpClient(url, opts);
  }

  /**
   * A client working directly on the stores (no server), opening them (and applying migrations) as
   * `slipway server` would. Close it to release the database. With `inferenceLogDir` (the folder
   * `slipway serve --inference-log` writes), `client.monitoring` checks request ids and reads reports there.
   *
   * @example
   * const client = await Slipway.open({ home: './.slipway', inferenceLogDir: './inference-log' });
   * try { await client.runs.search({ experimentIds: ['0'] }); } finally { await client.close(); }
   */
  static async open(opts: OpenOptions = {}): Promise<SlipwayClient> {
    const { inferenceLogDir, ...config } = opts;
    const platform = await openPlatform(resolveConfig(config));
    return new LocalClient(platform, { inferenceLogDir });
  }
}
