/**
 * `/features`: online reads and training sets over the feature definitions applied to the registry.
 * Training sets take their entity rows inline (bounded by the JSON body limit) or from a file the
 * client uploaded under `datasets/_entities/` of the artifact store: never a server-side path. The
 * result is stored in the artifact store under its dataset, for the client to download.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsync } from 'fastify';
import { invalidParameter } from '../../core/errors.js';
import { buildRegistryTrainingSet } from '../../datasets/registry-training-set.js';
import { ENTITIES_ARTIFACT_ROOT } from '../../datasets/training-set.js';
import { type OnlineFeaturesInput, readOnlineFeatures } from '../../features/online-request.js';
import type { FeatureScalar } from '../../features/types.js';
import type { Platform } from '../../platform.js';
import { checkArtifactPath } from '../../tracking/artifact-path.js';
import { onlineFeaturesJson } from '../compat/feast/response-json.js';
import { bool, nonEmpty, obj, strList } from './schemas.js';

const scalar = { type: ['number', 'string', 'boolean', 'null'] } as const;
const entityRows = {
  type: 'array',
  minItems: 1,
  items: { type: 'object', additionalProperties: scalar },
} as const;
const columns = { type: 'object', additionalProperties: { type: 'array', items: scalar } } as const;

interface HistoricalBody {
  project?: string;
  features?: string[];
  featureService?: string;
  entityRows?: Array<Record<string, FeatureScalar>>;
  /** A store path under `datasets/_entities/` (uploaded by the client through the artifact proxy). */
  entitiesArtifact?: string;
  timestampColumn?: string;
  fullFeatureNames?: boolean;
  dataset?: string;
}

/** The uploaded entity file's store path, refused unless it lies under `datasets/_entities/`. */
function entitiesArtifactPath(path: string): string {
  const checked = checkArtifactPath(path, 'entitiesArtifact');
  if (!checked.startsWith(`${ENTITIES_ARTIFACT_ROOT}/`) || !/\.(parquet|csv)$/i.test(checked))
    throw invalidParameter(
      'entitiesArtifact',
      `a .parquet or .csv file under ${ENTITIES_ARTIFACT_ROOT}/`,
      path,
    );
  return checked;
}

/** Routes of the feature resource. */
export function featureRoutes(platform: Platform): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: OnlineFeaturesInput }>(
      '/features/online',
      {
        config: { role: 'read' },
        schema: {
          body: obj({
            project: nonEmpty,
            features: strList,
            featureService: nonEmpty,
            entityRows,
            entities: columns,
            requestData: columns,
            fullFeatureNames: bool,
          }),
        },
      },
      async (req, reply) =>
        reply
          .type('application/json; charset=utf-8')
          .send(onlineFeaturesJson(await readOnlineFeatures(platform, req.body))),
    );

    app.post<{ Body: HistoricalBody }>(
      '/features/historical',
      {
        schema: {
          body: obj({
            project: nonEmpty,
            features: strList,
            featureService: nonEmpty,
            entityRows,
            entitiesArtifact: nonEmpty,
            timestampColumn: nonEmpty,
            fullFeatureNames: bool,
            dataset: nonEmpty,
          }),
        },
      },
      async (req) => {
        const { entityRows: rows, entitiesArtifact, ...rest } = req.body;
        if ((rows === undefined) === (entitiesArtifact === undefined))
          throw invalidParameter('entityRows', 'either entityRows or entitiesArtifact', rows);
        const work = await mkdtemp(join(tmpdir(), 'slipway-historical-'));
        try {
          let entities: { rows: Array<Record<string, FeatureScalar>> } | { path: string };
          if (rows) entities = { rows };
          else {
            const stored = entitiesArtifactPath(entitiesArtifact as string);
            const path = join(work, `entities${extname(stored).toLowerCase()}`);
            await pipeline(await platform.artifacts.store.get(stored), createWriteStream(path));
            entities = { path };
          }
          const set = await buildRegistryTrainingSet(platform, {
            ...rest,
            entities,
            out: join(work, 'training-set.parquet'),
            ...(entitiesArtifact ? { entitySource: `mlflow-artifacts:/${entitiesArtifact}` } : {}),
          });
          const { digest, rows: count, columns: cols, dataset, created, artifactPath } = set;
          return { digest, rows: count, columns: cols, dataset, created, artifactPath };
        } finally {
          await rm(work, { recursive: true, force: true });
        }
      },
    );
  };
}
