/** MLflow run endpoints: /runs/*, /metrics/get-history and /artifacts/list. */
import type { FastifyInstance } from 'fastify';
import { invalidParameter } from '../../../core/errors.js';
import type { Tag, ViewType } from '../../../core/types.js';
import type { Platform } from '../../../platform.js';
import type { RunStatus } from '../../../tracking/types.js';
import { metricJson, pageJson, runInfoJson, runJson } from './render.js';
import { input, int, metricValue, obj, runIdOf, str, strList, tagList, viewType } from './schemas.js';

type RunRef = { run_id?: string; run_uuid?: string };
type WireMetric = { key: string; value: unknown; timestamp: number; step?: number };
type WireTag = { key: string; value?: string };

const runRef = { run_id: str, run_uuid: str };
const metricItem = obj({ key: str, value: {}, timestamp: int, step: int }, ['key', 'value', 'timestamp']);
const runStatus = { type: 'string', enum: ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] } as const;

const toTags = (ts: WireTag[] | undefined): Tag[] =>
  (ts ?? []).map((t) => ({ key: t.key, value: t.value ?? '' }));
/** `fieldOf` names a bad value as the client sent it: `metrics[0].value` in a batch, `value` alone. */
const toMetrics = (ms: WireMetric[] | undefined, fieldOf = (i: number) => `metrics[${i}].value`) =>
  (ms ?? []).map((m, i) => ({
    key: m.key,
    value: metricValue(m.value, fieldOf(i)),
    timestamp: m.timestamp,
    step: m.step ?? 0,
  }));

/** A log-model request's MLmodel: anything but a JSON object is the client's error (MLflow answers 400). */
function parseModelJson(text: string): Record<string, unknown> {
  let model: unknown;
  try {
    model = JSON.parse(text);
  } catch {
    // Not JSON at all: rejected below like any other non-object.
  }
  if (typeof model !== 'object' || model === null || Array.isArray(model))
    throw invalidParameter('model_json', 'a JSON object', text);
  return model as Record<string, unknown>;
}

export function runRoutes(app: FastifyInstance, platform: Platform): void {
  const { tracking, artifacts } = platform;

  app.post<{
    Body: {
      experiment_id?: string;
      user_id?: string;
      run_name?: string;
      start_time?: number;
      tags?: WireTag[];
    };
  }>(
    '/runs/create',
    {
      schema: input(
        'POST',
        obj({ experiment_id: str, user_id: str, run_name: str, start_time: int, tags: tagList }),
      ),
    },
    async (req) => {
      const run = await tracking.createRun({
        experimentId: req.body.experiment_id,
        userId: req.body.user_id,
        runName: req.body.run_name,
        startTime: req.body.start_time,
        tags: toTags(req.body.tags),
      });
      const { inputs: _unused, ...created } = runJson(run);
      return { run: created };
    },
  );

  app.get<{ Querystring: RunRef }>('/runs/get', { schema: input('GET', obj(runRef)) }, async (req) => ({
    run: runJson(await tracking.getRun(runIdOf(req.query))),
  }));

  app.post<{ Body: RunRef & { status?: RunStatus; end_time?: number; run_name?: string } }>(
    '/runs/update',
    { schema: input('POST', obj({ ...runRef, status: runStatus, end_time: int, run_name: str })) },
    async (req) => {
      const info = await tracking.updateRun(runIdOf(req.body), {
        status: req.body.status,
        endTime: req.body.end_time,
        runName: req.body.run_name || undefined,
      });
      return { run_info: runInfoJson(info) };
    },
  );

  app.post<{ Body: RunRef }>('/runs/delete', { schema: input('POST', obj(runRef)) }, async (req) => {
    await tracking.deleteRun(runIdOf(req.body));
    return {};
  });
  app.post<{ Body: RunRef }>('/runs/restore', { schema: input('POST', obj(runRef)) }, async (req) => {
    await tracking.restoreRun(runIdOf(req.body));
    return {};
  });

  app.post<{ Body: RunRef & WireMetric }>(
    '/runs/log-metric',
    {
      schema: input(
        'POST',
        obj({ ...runRef, key: str, value: {}, timestamp: int, step: int }, ['key', 'value', 'timestamp']),
      ),
    },
    async (req) => {
      await tracking.logBatch(runIdOf(req.body), { metrics: toMetrics([req.body], () => 'value') });
      return {};
    },
  );

  app.post<{ Body: RunRef & { key: string; value: string } }>(
    '/runs/log-parameter',
    { schema: input('POST', obj({ ...runRef, key: str, value: str }, ['key', 'value'])) },
    async (req) => {
      await tracking.logParam(runIdOf(req.body), req.body.key, req.body.value);
      return {};
    },
  );

  app.post<{ Body: RunRef & { key: string; value: string } }>(
    '/runs/set-tag',
    { schema: input('POST', obj({ ...runRef, key: str, value: str }, ['key', 'value'])) },
    async (req) => {
      await tracking.setTag(runIdOf(req.body), req.body.key, req.body.value);
      return {};
    },
  );

  app.post<{ Body: RunRef & { key: string } }>(
    '/runs/delete-tag',
    { schema: input('POST', obj({ ...runRef, key: str }, ['key'])) },
    async (req) => {
      await tracking.deleteTag(runIdOf(req.body), req.body.key);
      return {};
    },
  );

  app.post<{ Body: RunRef & { metrics?: WireMetric[]; params?: WireTag[]; tags?: WireTag[] } }>(
    '/runs/log-batch',
    {
      schema: input(
        'POST',
        obj({ ...runRef, metrics: { type: 'array', items: metricItem }, params: tagList, tags: tagList }),
      ),
    },
    async (req) => {
      await tracking.logBatch(runIdOf(req.body), {
        metrics: toMetrics(req.body.metrics),
        params: toTags(req.body.params),
        tags: toTags(req.body.tags),
      });
      return {};
    },
  );

  app.post<{
    Body: RunRef & {
      datasets?: {
        tags?: WireTag[];
        dataset: {
          name: string;
          digest: string;
          source_type: string;
          source: string;
          schema?: string;
          profile?: string;
        };
      }[];
    };
  }>(
    '/runs/log-inputs',
    {
      schema: input(
        'POST',
        obj({
          ...runRef,
          datasets: { type: 'array', items: obj({ tags: tagList, dataset: obj({}) }, ['dataset']) },
        }),
      ),
    },
    async (req) => {
      await tracking.logInputs(
        runIdOf(req.body),
        (req.body.datasets ?? []).map((d) => ({
          tags: toTags(d.tags),
          dataset: {
            name: d.dataset.name,
            digest: d.dataset.digest,
            sourceType: d.dataset.source_type,
            source: d.dataset.source,
            ...(d.dataset.schema !== undefined ? { schema: d.dataset.schema } : {}),
            ...(d.dataset.profile !== undefined ? { profile: d.dataset.profile } : {}),
          },
        })),
      );
      return {};
    },
  );

  // log_model records the MLmodel as JSON in a tag holding the list of models logged by the run.
  app.post<{ Body: RunRef & { model_json: string } }>(
    '/runs/log-model',
    { schema: input('POST', obj({ ...runRef, model_json: str }, ['model_json'])) },
    async (req) => {
      const runId = runIdOf(req.body);
      const model = parseModelJson(req.body.model_json);
      await tracking.recordLoggedModel(runId, model);
      return {};
    },
  );

  type SearchBody = {
    experiment_ids?: string[];
    filter?: string;
    run_view_type?: ViewType;
    max_results?: number;
    order_by?: string[];
    page_token?: string;
  };
  app.post<{ Body: SearchBody }>(
    '/runs/search',
    {
      schema: input(
        'POST',
        obj({
          experiment_ids: strList,
          filter: str,
          run_view_type: viewType,
          max_results: int,
          order_by: strList,
          page_token: str,
        }),
      ),
      config: { role: 'read' },
    },
    async (req) => {
      const b = req.body;
      const page = await tracking.searchRuns({
        experimentIds: b.experiment_ids ?? [],
        filter: b.filter,
        view: b.run_view_type,
        maxResults: b.max_results,
        orderBy: b.order_by,
        pageToken: b.page_token,
      });
      return pageJson('runs', page.items.map(runJson), page.nextPageToken);
    },
  );

  app.get<{ Querystring: RunRef & { metric_key: string; max_results?: number; page_token?: string } }>(
    '/metrics/get-history',
    {
      schema: input(
        'GET',
        obj({ ...runRef, metric_key: str, max_results: int, page_token: str }, ['metric_key']),
      ),
    },
    async (req) => {
      const page = await tracking.getMetricHistory(runIdOf(req.query), req.query.metric_key, {
        maxResults: req.query.max_results,
        pageToken: req.query.page_token,
      });
      return pageJson('metrics', page.items.map(metricJson), page.nextPageToken);
    },
  );

  app.get<{ Querystring: RunRef & { path?: string } }>(
    '/artifacts/list',
    { schema: input('GET', obj({ ...runRef, path: str, page_token: str })) },
    async (req) => {
      const runId = runIdOf(req.query);
      const base = req.query.path ? req.query.path.replace(/\/+$/, '') : '';
      const entries = await artifacts.list(runId, base);
      const run = await tracking.getRun(runId);
      const files = entries.map((e) => ({
        path: base ? `${base}/${e.path}` : e.path,
        is_dir: e.isDir,
        ...(e.isDir ? {} : { file_size: e.fileSize }),
      }));
      return { root_uri: run.info.artifactUri, ...(files.length > 0 ? { files } : {}) };
    },
  );
}
