/** The offline feature store: point-in-time-correct training sets over Parquet/CSV, run in DuckDB. */
export { resolveHistoricalViews } from './feature-refs.js';
export {
  getHistoricalFeatures,
  type HistoricalOptions,
  type HistoricalRequest,
  type HistoricalResult,
  type HistoricalView,
} from './historical.js';
