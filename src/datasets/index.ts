/** Dataset versions: content-addressed training sets (and other tables) that runs can log as inputs. */
export { datasetInput } from './dataset-input.js';
export {
  checkDatasetName,
  DATASET_NAME_PATTERN,
  DatasetRegistry,
  datasetVersionTaken,
} from './dataset-registry.js';
export { buildRegistryTrainingSet, type RegistryTrainingSetRequest } from './registry-training-set.js';
export {
  buildTrainingSet,
  DATASETS_ARTIFACT_ROOT,
  DEFAULT_TRAINING_SET_NAME,
  datasetArtifactPath,
  ENTITIES_ARTIFACT_ROOT,
  type TrainingSet,
  type TrainingSetRequest,
} from './training-set.js';
export type { DatasetStore, DatasetVersion, NewDatasetVersion } from './types.js';
