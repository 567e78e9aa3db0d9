/**
 * Domain objects → MLflow's JSON (protobuf JSON as MLflow's server emits it): snake_case fields,
 * ids and versions as strings, times as integer milliseconds, empty lists and unset fields omitted.
 */
import type { Tag } from '../../../core/types.js';
import type { ModelVersion, RegisteredModel } from '../../../registry/types.js';
import type { DatasetInput, Experiment, Metric, Run, RunInfo } from '../../../tracking/types.js';

type Json = Record<string, unknown>;

/** Sets `obj[key] = list` only when the list is not empty (protobuf JSON omits empty repeated fields). */
function withList<T>(obj: Json, key: string, list: T[] | undefined): Json {
  if (list && list.length > 0) obj[key] = list;
  return obj;
}

const tags = (ts: Tag[]) => ts.map((t) => ({ key: t.key, value: t.value }));

export function experimentJson(e: Experiment): Json {
  return withList(
    {
      experiment_id: e.experimentId,
      name: e.name,
      artifact_location: e.artifactLocation,
      lifecycle_stage: e.lifecycleStage,
      last_update_time: e.lastUpdateTime,
      creation_time: e.creationTime,
    },
    'tags',
    tags(e.tags),
  );
}

/** Non-finite metric values travel as strings, as protobuf JSON writes them. */
export function metricValueJson(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  return v;
}

export function metricJson(m: Metric): Json {
  return { key: m.key, value: metricValueJson(m.value), timestamp: m.timestamp, step: m.step };
}

export function runInfoJson(i: RunInfo): Json {
  const out: Json = {
    run_uuid: i.runId,
    experiment_id: i.experimentId,
    run_name: i.runName,
    user_id: i.userId,
    status: i.status,
    start_time: i.startTime,
  };
  if (i.endTime !== null) out.end_time = i.endTime;
  out.artifact_uri = i.artifactUri;
  out.lifecycle_stage = i.lifecycleStage;
  out.run_id = i.runId;
  return out;
}

function datasetInputJson(d: DatasetInput): Json {
  const dataset: Json = {
    name: d.dataset.name,
    digest: d.dataset.digest,
    source_type: d.dataset.sourceType,
    source: d.dataset.source,
  };
  if (d.dataset.schema !== undefined) dataset.schema = d.dataset.schema;
  if (d.dataset.profile !== undefined) dataset.profile = d.dataset.profile;
  return withList({ dataset }, 'tags', tags(d.tags));
}

export function runJson(r: Run): Json {
  const data: Json = {};
  withList(data, 'metrics', r.data.metrics.map(metricJson));
  withList(data, 'params', tags(r.data.params));
  withList(data, 'tags', tags(r.data.tags));
  return {
    info: runInfoJson(r.info),
    data,
    inputs: withList({}, 'dataset_inputs', r.inputs.datasetInputs.map(datasetInputJson)),
  };
}

export function modelVersionJson(v: ModelVersion): Json {
  const out: Json = {
    name: v.name,
    version: v.version,
    creation_timestamp: v.creationTimestamp,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    current_stage: v.currentStage,
    description: v.description,
    source: v.source,
    run_id: v.runId,
    status: v.status,
    run_link: v.runLink,
  };
  withList(out, 'tags', tags(v.tags));
  return withList(out, 'aliases', v.aliases);
}

export function registeredModelJson(m: RegisteredModel): Json {
  const out: Json = {
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    description: m.description,
  };
  withList(out, 'latest_versions', m.latestVersions.map(modelVersionJson));
  withList(out, 'tags', tags(m.tags));
  return withList(out, 'aliases', m.aliases);
}

/** Adds `next_page_token` when there is a next page. */
export function pageJson(key: string, items: unknown[], nextPageToken?: string): Json {
  const out = withList({}, key, items);
  if (nextPageToken) out.next_page_token = nextPageToken;
  return out;
}
