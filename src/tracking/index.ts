/**
 * The tracking domain's public interface: what other domains (the registry, later serving and
 * monitoring) may use. They import from here, never from the files behind it.
 */
export { checkArtifactPath, joinArtifactPath } from './artifact-path.js';
export type { ArtifactEntry, ArtifactStore } from './artifacts.js';
export { PROXIED_SCHEME, RunArtifacts, storePathOf } from './run-artifacts.js';
export { parseRunFilter } from './search/filter-parser.js';
export { parseOrderBy } from './search/order-by-parser.js';
export { checkPageSize } from './search/page-token.js';
export {
  parseExperimentFilter,
  parseModelVersionFilter,
  parseRegisteredModelFilter,
} from './search/registry-filter-parser.js';
export type { Comparator, Comparison, EntityType, Filter, OrderClause } from './search/types.js';
export {
  type CreateRunOptions,
  DEFAULT_EXPERIMENT_ID,
  type SearchOptions,
  TrackingService,
} from './service.js';
export type { TrackingStore } from './store.js';
export * from './types.js';
export { checkKey, checkTag } from './validation.js';
