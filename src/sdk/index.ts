/** The typed SDK: one `SlipwayClient` surface, over HTTP or in-process. */
import { type ConfigInput, resolveConfig } from '../core/config.js';
import { openPlatform } from '../platform.js';
import { HttpClient } from './http-client.js';
import { LocalClient } from './local-client.js';
import type { SlipwayClient } from './types.js';

export { datasetInput } from '../datasets/dataset-input.js';
export type { DatasetVersion } from '../datasets/types.js';
export { HttpClient, type HttpClientOptions } from './http-client.js';
export { LocalClient } from './local-client.js';
export type {
  DatasetsApi,
  ExperimentsApi,
  FeaturesApi,
  HistoricalFeaturesInput,
  HistoricalFeaturesResult,
  ModelsApi,
  OnlineFeaturesInput,
  OnlineFeaturesResponse,
  RunsApi,
  SearchOptions,
  SlipwayClient,
} from './types.js';

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
   * `slipway server` would. Close it to release the database.
   *
   * @example
   * const client = await Slipway.open({ home: './.slipway' });
   * try { await client.runs.search({ experimentIds: ['0'] }); } finally { await client.close(); }
   */
  static async open(opts: ConfigInput = {}): Promise<SlipwayClient> {
    const platform = await openPlatform(resolveConfig(opts));
    return new LocalClient(platform);
  }
}
