/** The offline feature store: point-in-time-correct training sets over Parquet/CSV and PostgreSQL, run in DuckDB. */
export { resolveHistoricalFeatures, resolveHistoricalViews } from './feature-refs.js';
export {
  getHistoricalFeatures,
  type HistoricalOnDemandView,
  type HistoricalOptions,
  type HistoricalRequest,
  type HistoricalResult,
  type HistoricalView,
} from './historical.js';
