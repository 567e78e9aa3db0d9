/**
 * MLflow's artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/...`, what `mlflow server
 * --serve-artifacts` offers): clients upload and download run artifacts through the server, which
 * keeps them in the configured artifact store. Bodies stream straight to the store.
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SlipwayError } from '../../../core/errors.js';
import type { Platform } from '../../../platform.js';
import { checkArtifactPath } from '../../../tracking/artifact-path.js';
import { contentTypeOf } from '../../content-type.js';

/** Refuses a body whose declared length is already over the limit, before reading any of it. */
export function refuseOversizedUpload(req: FastifyRequest, maxBytes: number): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes)
    throw new SlipwayError(
      'PAYLOAD_TOO_LARGE',
      `Artifact upload of ${declared} bytes exceeds the limit of ${maxBytes} bytes`,
      {
        limit: maxBytes,
      },
    );
}

/** Registers the raw-stream body parser for this plugin scope only (uploads are never parsed). */
export function acceptRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
}

export async function mlflowArtifactRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const store = platform.artifacts.store;
  const maxBytes = platform.config.maxUploadBytes;
  acceptRawBodies(app);
  const pathOf = (req: FastifyRequest) => checkArtifactPath((req.params as { '*': string })['*'] ?? '');

  app.put('/artifacts/*', async (req) => {
    refuseOversizedUpload(req, maxBytes);
    const path = pathOf(req);
    if (!path)
      throw new SlipwayError('INVALID_PARAMETER_VALUE', 'An artifact path is required', { field: 'path' });
    await store.put(path, req.body as Readable, { maxBytes });
    return {};
  });

  app.get<{ Querystring: { path?: string } }>(
    '/artifacts',
    { schema: { querystring: { type: 'object', properties: { path: { type: 'string' } } } } },
    async (req) => {
      const entries = await store.list(checkArtifactPath(req.query.path ?? ''));
      if (entries.length === 0) return {};
      return {
        files: entries.map((e) => ({
          path: e.path,
          is_dir: e.isDir,
          ...(e.isDir ? {} : { file_size: e.fileSize }),
        })),
      };
    },
  );

  app.get('/artifacts/*', async (req, reply) => {
    const path = pathOf(req);
    const stream = await store.get(path);
    return reply.type(contentTypeOf(path)).send(stream);
  });

  app.delete('/artifacts/*', async (req) => {
    await store.delete(pathOf(req));
    return {};
  });
}
