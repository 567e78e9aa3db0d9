/** `/runs`: create, read, update, delete and search runs; log metrics, params, tags and inputs. */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Tag } from '../../core/types.js';
import type { Platform } from '../../platform.js';
import type { CreateRunOptions, SearchOptions } from '../../tracking/service.js';
import {
  type DatasetInput,
  type Metric,
  type Param,
  RUN_STATUSES,
  type RunStatus,
} from '../../tracking/types.js';
import {
  int,
  nonEmpty,
  num,
  obj,
  params,
  searchBodyFields,
  str,
  strList,
  tag,
  tagList,
  tagValueBody,
} from './schemas.js';

type IdParams = { id: string };
type KeyParams = IdParams & { key: string };

const metric = obj({ key: nonEmpty, value: num, timestamp: int, step: int }, [
  'key',
  'value',
  'timestamp',
  'step',
]);
const param = obj({ key: nonEmpty, value: str }, ['key', 'value']);
const dataset = obj({ name: str, digest: str, sourceType: str, source: str, schema: str, profile: str }, [
  'name',
  'digest',
  'sourceType',
  'source',
]);
const datasetInput = obj({ dataset, tags: tagList }, ['dataset']);

const noContent = (reply: FastifyReply) => reply.status(204).send();

/** Routes of the run resource and of the data logged to a run. */
export function runRoutes({ tracking }: Platform): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: CreateRunOptions }>(
      '/runs',
      {
        schema: {
          body: obj({
            experimentId: nonEmpty,
            runName: str,
            userId: str,
            startTime: int,
            tags: tagList,
            parentRunId: nonEmpty,
          }),
        },
      },
      async (req, reply) => reply.status(201).send(await tracking.createRun(req.body)),
    );

    // A POST only because the experiment id list and the filter may not fit in a URL.
    app.post<{ Body: SearchOptions & { experimentIds: string[] } }>(
      '/runs/search',
      {
        schema: {
          body: obj({ experimentIds: { ...strList, minItems: 1 }, ...searchBodyFields }, ['experimentIds']),
        },
        config: { role: 'read' },
      },
      (req) => tracking.searchRuns(req.body),
    );

    app.get<{ Params: IdParams }>('/runs/:id', { schema: { params: params('id') } }, (req) =>
      tracking.getRun(req.params.id),
    );

    app.patch<{ Params: IdParams; Body: { status?: RunStatus; endTime?: number; runName?: string } }>(
      '/runs/:id',
      {
        schema: {
          params: params('id'),
          body: obj({ status: { type: 'string', enum: RUN_STATUSES }, endTime: int, runName: nonEmpty }),
        },
      },
      (req) => tracking.updateRun(req.params.id, req.body),
    );

    app.delete<{ Params: IdParams }>(
      '/runs/:id',
      { schema: { params: params('id') } },
      async (req, reply) => {
        await tracking.deleteRun(req.params.id);
        return noContent(reply);
      },
    );

    app.post<{ Params: IdParams }>(
      '/runs/:id/restore',
      { schema: { params: params('id') } },
      async (req, reply) => {
        await tracking.restoreRun(req.params.id);
        return noContent(reply);
      },
    );

    app.post<{ Params: IdParams; Body: { metrics?: Metric[]; params?: Param[]; tags?: Tag[] } }>(
      '/runs/:id/batch',
      {
        schema: {
          params: params('id'),
          body: obj({
            metrics: { type: 'array', items: metric },
            params: { type: 'array', items: param },
            tags: { type: 'array', items: tag },
          }),
        },
      },
      async (req, reply) => {
        await tracking.logBatch(req.params.id, req.body);
        return noContent(reply);
      },
    );

    app.post<{ Params: IdParams; Body: { key: string; value: number; timestamp?: number; step?: number } }>(
      '/runs/:id/metrics',
      {
        schema: {
          params: params('id'),
          body: obj({ key: nonEmpty, value: num, timestamp: int, step: int }, ['key', 'value']),
        },
      },
      async (req, reply) => {
        const { key, value, timestamp, step } = req.body;
        await tracking.logMetric(req.params.id, key, value, { timestamp, step });
        return noContent(reply);
      },
    );

    app.post<{ Params: IdParams; Body: Param }>(
      '/runs/:id/params',
      { schema: { params: params('id'), body: param } },
      async (req, reply) => {
        await tracking.logParam(req.params.id, req.body.key, req.body.value);
        return noContent(reply);
      },
    );

    app.put<{ Params: KeyParams; Body: { value: string } }>(
      '/runs/:id/tags/:key',
      { schema: { params: params('id', 'key'), body: tagValueBody } },
      async (req, reply) => {
        await tracking.setTag(req.params.id, req.params.key, req.body.value);
        return noContent(reply);
      },
    );

    app.delete<{ Params: KeyParams }>(
      '/runs/:id/tags/:key',
      { schema: { params: params('id', 'key') } },
      async (req, reply) => {
        await tracking.deleteTag(req.params.id, req.params.key);
        return noContent(reply);
      },
    );

    app.get<{ Params: KeyParams; Querystring: { maxResults?: number; pageToken?: string } }>(
      '/runs/:id/metrics/:key/history',
      {
        schema: {
          params: params('id', 'key'),
          querystring: obj({ maxResults: { type: 'integer', minimum: 1 }, pageToken: str }),
        },
      },
      (req) => tracking.getMetricHistory(req.params.id, req.params.key, req.query),
    );

    app.post<{ Params: IdParams; Body: { datasets: DatasetInput[] } }>(
      '/runs/:id/inputs',
      {
        schema: {
          params: params('id'),
          body: obj({ datasets: { type: 'array', items: datasetInput } }, ['datasets']),
        },
      },
      async (req, reply) => {
        await tracking.logInputs(req.params.id, req.body.datasets);
        return noContent(reply);
      },
    );
  };
}
