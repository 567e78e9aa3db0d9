/** Feature definitions: declaring them (TypeScript or YAML), loading, validating and planning changes. */
export * from './define.js';
export { type Duration, parseDuration } from './duration.js';
export { loadFeatureRepo } from './load.js';
export {
  type ChangeAction,
  type DiffLine,
  formatPlan,
  hasChanges,
  type Plan,
  type PlannedChange,
  planChanges,
} from './plan.js';
export * from './spec.js';
export { type DefinitionProblem, NAME_PATTERN, validateFeatureRepo } from './validate.js';
