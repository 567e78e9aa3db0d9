/**
 * Mergeable column profiles for monitoring: exact counts and moments plus quantile, distinct-count
 * and top-category sketches and a fixed-edge histogram per column, grouped per window of one
 * model version; merged across replicas and windows.
 */
export {
  CategoricalColumnProfile,
  type CategoricalColumnProfileJson,
  type CategoricalProfileOptions,
  COLUMN_PROFILE_VERSION,
  type ColumnProfile,
  type ColumnProfileJson,
  columnProfileFromJSON,
  DEFAULT_VALUE_CAPACITY,
  mergeColumnProfiles,
  NumericColumnProfile,
  type NumericColumnProfileJson,
  type NumericProfileOptions,
} from './column-profile.js';
export {
  DATASET_PROFILE_VERSION,
  DatasetProfile,
  type DatasetProfileJson,
  mergeDatasetProfiles,
  type ProfileKey,
  type ProfileKind,
} from './dataset-profile.js';
export { DEFAULT_HLL_PRECISION, DistinctSketch, type DistinctSketchJson } from './distinct-sketch.js';
export { FixedHistogram, type FixedHistogramJson, sturgesEdgesOfRange } from './fixed-histogram.js';
export { emptyMoments, type Moments, mergeMoments, variance } from './moments.js';
export {
  detectColumnDriftFromProfiles,
  detectDriftFromProfiles,
  type ProfileDriftBasis,
  type ProfileDriftReport,
  type ProfileDriftVerdict,
} from './profile-drift.js';
export {
  mergeProfileSidecars,
  profileSidecarPath,
  readProfileSidecars,
  type SidecarSelection,
  writeProfileSidecar,
} from './profile-sidecars.js';
export {
  type FileProfileOptions,
  fileRelation,
  INFERENCE_LOG_FIXED_COLUMNS,
  profileDatasetVersion,
  profileFile,
  profileInferenceLog,
  trainingDatasetOf,
} from './profile-sources.js';
export {
  checkProfileFilter,
  mergeStoredProfiles,
  type ProfileFilter,
  type ProfileStore,
  type StoredProfileSummary,
} from './profile-store.js';
export {
  DEFAULT_BIN_LIMIT,
  DEFAULT_RELATIVE_ACCURACY,
  QuantileSketch,
  type QuantileSketchJson,
  type SketchPoints,
} from './quantile-sketch.js';
export {
  type ProfiledColumnKind,
  profiledColumns,
  profileRelation,
  type RelationProfileOptions,
} from './relation-profile.js';
export { seededRandom } from './seeded-random.js';
export { DEFAULT_CATEGORY_CAPACITY, TopCategories, type TopCategoriesJson } from './top-categories.js';
export {
  binPoints,
  type KsBounds,
  meanAbsolute,
  type WeightedPoints,
  weightedKs,
  weightedWasserstein,
} from './weighted-distances.js';
