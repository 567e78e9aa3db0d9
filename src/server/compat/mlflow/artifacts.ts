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
import { acceptRawUploads, sendArtifact } from '../../artifact-transfer.js';

export async function mlflowArtifactRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const store = platform.artifacts.store;
  const maxBytes = platform.config.maxUploadBytes;
  acceptRawUploads(app, maxBytes);
  const pathOf = (req: FastifyRequest) => checkArtifactPath((req.params as { '*': string })['*'] ?? '');

  app.put('/artifacts/*', async (req) => {
    const path = pathOf(req);
    if (!path)
      throw new SlipwayError('INVALID_PARAMETER_VALUE', 'An artifact path is required', { field: 'path' });
    // No body at all (Content-Length: 0 without a Content-Type) is an empty file.
    await store.put(path, (req.body as Readable | undefined) ?? Buffer.alloc(0), { maxBytes });
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
    return sendArtifact(reply, path, stream);
  });

  app.delete('/artifacts/*', async (req) => {
    await store.delete(pathOf(req));
    return {};
  });
}
