/**
 * The filter languages of MLflow's `search_experiments`, `search_registered_models` and
 * `search_model_versions`: the run filter's grammar over smaller vocabularies.
 */
import { parseFilter, type Vocabulary } from './filter-parser.js';
import type { Filter } from './types.js';

/** `name`, `creation_time`, `last_update_time` and `tags.*`. */
export const EXPERIMENT_FILTER_VOCABULARY: Vocabulary = {
  entities: ['tag', 'attribute'],
  attributes: { name: 'string', creation_time: 'number', last_update_time: 'number' },
};

/** `name` and `tags.*`. */
export const REGISTERED_MODEL_FILTER_VOCABULARY: Vocabulary = {
  entities: ['tag', 'attribute'],
  attributes: { name: 'string' },
};

/** `name`, `run_id`, `source` (`source_path`), `version` (`version_number`), `current_stage`, `tags.*`. */
export const MODEL_VERSION_FILTER_VOCABULARY: Vocabulary = {
  entities: ['tag', 'attribute'],
  attributes: {
    name: 'string',
    run_id: 'string',
    source: 'string',
    version: 'number',
    current_stage: 'string',
  },
  aliases: { source_path: 'source', version_number: 'version' },
};

/**
 * Parses a `search_experiments` filter.
 *
 * @example
 * parseExperimentFilter("name LIKE 'fraud-%' and attributes.creation_time > 1700000000000");
 * @throws SlipwayError INVALID_PARAMETER_VALUE naming the offending token and its position.
 */
export function parseExperimentFilter(filter: string | undefined): Filter {
  return parseFilter(filter, EXPERIMENT_FILTER_VOCABULARY);
}

/**
 * Parses a `search_registered_models` filter.
 *
 * @example
 * parseRegisteredModelFilter("name ILIKE '%churn%' and tags.team = 'risk'");
 * @throws SlipwayError INVALID_PARAMETER_VALUE naming the offending token and its position.
 */
export function parseRegisteredModelFilter(filter: string | undefined): Filter {
  return parseFilter(filter, REGISTERED_MODEL_FILTER_VOCABULARY);
}

/**
 * Parses a `search_model_versions` filter; `source_path` and `version_number` normalise to the
 * attribute keys `source` and `version`.
 *
 * @example
 * parseModelVersionFilter("name = 'churn' and run_id IN ('a1', 'b2') and version_number >= 3");
 * @throws SlipwayError INVALID_PARAMETER_VALUE naming the offending token and its position.
 */
export function parseModelVersionFilter(filter: string | undefined): Filter {
  return parseFilter(filter, MODEL_VERSION_FILTER_VOCABULARY);
}
