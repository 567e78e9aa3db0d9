/**
 * Feast's HTTP feature server API over Slipway's feature store: `POST /get-online-features`,
 * `POST /push`, `POST /write-to-online-store`. Errors in FastAPI's shape (`{"detail": "..."}`), as
 * Feast's Python server answers them.
 */
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { httpStatusOf, invalidParameter, notFound } from '../../../core/errors.js';
import { type FeatureCatalog, getOnlineFeatures, joinKeysOf } from '../../../features/online-features.js';
import { type DataFrame, rowsFromFrame, timestampFieldOf } from '../../../features/online-write.js';
import type { FeatureScalar, FeatureView, OnlineStore } from '../../../features/types.js';
import { toSlipwayError } from '../../errors.js';
import { onlineFeaturesJson } from './response-json.js';

export interface FeatureServing {
  /** The current definitions (re-read after `features apply`). */
  catalog(): FeatureCatalog;
  store: OnlineStore;
}

interface OnlineBody {
  features?: string[];
  feature_service?: string;
  entities: Record<string, FeatureScalar[]>;
  request_data?: Record<string, FeatureScalar[]>;
  full_feature_names?: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function viewNamed(catalog: FeatureCatalog, name: unknown): FeatureView {
  const view = typeof name === 'string' ? catalog.views.get(name) : undefined;
  if (!view) {
    throw notFound(
      'Feature view',
      String(name),
      `Unknown feature view '${String(name)}': known views are ${[...catalog.views.keys()].sort().join(', ')}`,
    );
  }
  return view;
}

/** Registers the Feast feature-server routes (no prefix). */
export function feastApi(features: FeatureServing): FastifyPluginAsync {
  return async (scope) => {
    scope.setErrorHandler((err: FastifyError, req, reply) => {
      const e = toSlipwayError(err);
      const status = httpStatusOf(e.code);
      if (status >= 500) req.log.error({ err }, 'feature server request failed');
      return reply.status(status).send({ detail: status >= 500 ? 'internal error' : e.message });
    });

    scope.post<{ Body: OnlineBody }>(
      '/get-online-features',
      { config: { role: 'read' } },
      async (req, reply) => {
        const b = req.body;
        if (!isObject(b)) throw invalidParameter('body', 'a JSON object', b);
        if (!isObject(b.entities))
          throw invalidParameter('entities', 'an object of join key → list of values', b.entities);
        const response = await getOnlineFeatures(features.catalog(), features.store, {
          features: b.features,
          featureService: b.feature_service,
          entities: b.entities,
          requestData: b.request_data,
          fullFeatureNames: b.full_feature_names === true,
        });
        return reply.type('application/json; charset=utf-8').send(onlineFeaturesJson(response));
      },
    );

    scope.post<{ Body: { feature_view_name?: string; df?: DataFrame } }>(
      '/write-to-online-store',
      async (req, reply) => {
        const catalog = features.catalog();
        const view = viewNamed(catalog, req.body?.feature_view_name);
        const rows = rowsFromFrame(
          catalog,
          view,
          req.body?.df as DataFrame,
          timestampFieldOf(catalog.sources, view),
        );
        const written = await features.store.write(view.name, rows);
        return reply.send({ written });
      },
    );

    scope.post<{ Body: { push_source_name?: string; df?: DataFrame; to?: string } }>(
      '/push',
      async (req, reply) => {
        const catalog = features.catalog();
        const name = req.body?.push_source_name;
        const source = typeof name === 'string' ? catalog.sources.get(name) : undefined;
        if (source?.kind !== 'push') {
          const pushes = [...catalog.sources.values()].filter((s) => s.kind === 'push').map((s) => s.name);
          throw notFound(
            'Push source',
            String(name),
            `Unknown push source '${String(name)}': known push sources are ${pushes.sort().join(', ') || '(none)'}`,
          );
        }
        const to = req.body?.to ?? 'online';
        if (to !== 'online' && to !== 'online_and_offline') {
          throw invalidParameter(
            'to',
            "'online' or 'online_and_offline' (offline pushes are not supported yet)",
            to,
          );
        }
        const views = [...catalog.views.values()].filter((v) => v.source === source.name && v.online);
        // Check every view's batch before writing any, so a bad push writes nothing.
        const frames = framesPerView(catalog, views, req.body?.df as DataFrame);
        const batches = views.map((v, k) => ({
          view: v,
          rows: rowsFromFrame(catalog, v, frames[k], timestampFieldOf(catalog.sources, v)),
        }));
        let written = 0;
        for (const b of batches) written += await features.store.write(b.view.name, b.rows);
        return reply.send({ written, views: views.map((v) => v.name) });
      },
    );
  };
}

function columnsOf(catalog: FeatureCatalog, view: FeatureView): Set<string> {
  return new Set([
    ...joinKeysOf(catalog, view),
    ...view.schema.map((f) => f.name),
    timestampFieldOf(catalog.sources, view),
    'created',
    'created_timestamp',
  ]);
}

/**
 * Splits a pushed `df` per view (a push source may feed several views with different columns); a
 * column no view knows is an error naming it.
 */
function framesPerView(catalog: FeatureCatalog, views: FeatureView[], df: DataFrame): DataFrame[] {
  if (!isObject(df)) throw invalidParameter('df', 'an object of columns', df);
  const perView = views.map((v) => columnsOf(catalog, v));
  const all = new Set(perView.flatMap((c) => [...c]));
  const unknown = Object.keys(df).find((c) => !all.has(c));
  if (unknown !== undefined)
    throw invalidParameter(
      `df.${unknown}`,
      `one of the pushed views' columns: ${[...all].join(', ')}`,
      unknown,
    );
  return perView.map((keep) => Object.fromEntries(Object.entries(df).filter(([c]) => keep.has(c))));
}
