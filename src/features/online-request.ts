/**
 * Online reads as the SDK and the native API take them: a project (default: the only one), entity
 * rows as objects (or Feast's columns), served from the registry's catalog of that project.
 */
import { invalidParameter } from '../core/errors.js';
import {
  type FeatureCatalog,
  getOnlineFeatures,
  type OnlineFeaturesRequest,
  type OnlineFeaturesResponse,
  resolveFeatureRefs,
} from './online-features.js';
import type { RegistryCatalogs } from './registry-catalog.js';
import type { FeatureScalar, OnlineStore } from './types.js';

/** An online read by project, with entity rows as objects or as columns. */
export interface OnlineFeaturesInput {
  /** Feature project; default the only one in the registry. */
  project?: string;
  /** `view:feature` references (or `featureService`). */
  features?: string[];
  featureService?: string;
  /**
   * One object per entity row: its join keys, and the request fields of the on-demand views asked
   * for (Feast's `entity_rows`). Or use `entities`.
   */
  entityRows?: Array<Record<string, FeatureScalar>>;
  /** Join key → one value per row (Feast's columns). */
  entities?: Record<string, FeatureScalar[]>;
  /** Request-time inputs of on-demand views, one value per row. */
  requestData?: Record<string, FeatureScalar[]>;
  /** Name features `view__feature`. */
  fullFeatureNames?: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Feast's column-major request from `input`: entity rows are split into join-key columns and the
 * request fields of the requested on-demand views (which go to `requestData`).
 */
export function onlineRequestOf(catalog: FeatureCatalog, input: OnlineFeaturesInput): OnlineFeaturesRequest {
  const { entityRows, entities } = input;
  if ((entityRows === undefined) === (entities === undefined))
    throw invalidParameter('entityRows', 'either entityRows (objects) or entities (columns)', entityRows);
  const base = {
    features: input.features,
    featureService: input.featureService,
    fullFeatureNames: input.fullFeatureNames === true,
  };
  if (entities !== undefined) {
    if (!isObject(entities)) throw invalidParameter('entities', 'an object of join key → values', entities);
    return { ...base, entities, requestData: input.requestData };
  }
  if (!Array.isArray(entityRows) || entityRows.length === 0)
    throw invalidParameter('entityRows', 'a non-empty array of objects', entityRows);
  const requestFields = new Set<string>();
  for (const ref of resolveFeatureRefs(catalog, input)) {
    for (const f of catalog.onDemand.get(ref.view)?.requestSchema ?? []) requestFields.add(f.name);
  }
  const keys = new Set<string>();
  entityRows.forEach((row, i) => {
    if (!isObject(row)) throw invalidParameter(`entityRows[${i}]`, 'an object', row);
    for (const k of Object.keys(row)) keys.add(k);
  });
  const cols: Record<string, FeatureScalar[]> = {};
  const request: Record<string, FeatureScalar[]> = { ...input.requestData };
  for (const key of keys) {
    const column = entityRows.map((row, i) => {
      if (!(key in row))
        throw invalidParameter(`entityRows[${i}].${key}`, `a value (row 0 has '${key}')`, undefined);
      return row[key];
    });
    if (requestFields.has(key)) request[key] = column;
    else cols[key] = column;
  }
  return { ...base, entities: cols, requestData: Object.keys(request).length > 0 ? request : undefined };
}

/**
 * Reads online features for `input` from the registry's catalog of its project.
 *
 * @example
 * await readOnlineFeatures(platform, { featureService: 'ranker_v1', entityRows: [{ driver_id: 1 }] });
 */
export async function readOnlineFeatures(
  from: { featureCatalogs: RegistryCatalogs; onlineStore(): Promise<OnlineStore> },
  input: OnlineFeaturesInput,
): Promise<OnlineFeaturesResponse> {
  if (!isObject(input as unknown)) throw invalidParameter('body', 'a JSON object', input);
  const catalog = (await from.featureCatalogs.get(input.project)).catalog();
  return getOnlineFeatures(catalog, await from.onlineStore(), onlineRequestOf(catalog, input));
}
