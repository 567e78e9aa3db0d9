/**
 * `/runs/:id/artifacts`: upload (raw body, streamed to the store), list and download a run's files.
 * Path checks live in the store layer (checkArtifactPath); this file only hands the decoded path on.
 */
import type { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform.js';
import { acceptRawUploads, sendArtifact } from '../artifact-transfer.js';
import { nonEmpty, obj, params, str } from './schemas.js';

type WildcardParams = { id: string; '*': string };
/** The run id and the (already percent-decoded) artifact path after `/artifacts/`. */
const wildcardParams = obj({ id: nonEmpty, '*': str }, ['id', '*']);

/** Routes of run artifacts. Registered in their own scope: the raw-body parsers stay inside it. */
export function runArtifactRoutes({ artifacts, config }: Platform): FastifyPluginAsync {
  return async (app) => {
    acceptRawUploads(app, config.maxUploadBytes);

    app.put<{ Params: WildcardParams; Body: Readable | undefined }>(
      '/runs/:id/artifacts/*',
      { schema: { params: wildcardParams } },
      async (req, reply) => {
        // No body at all (Content-Length: 0 without a Content-Type) is an empty file.
        const body = req.body ?? Buffer.alloc(0);
        return reply.status(201).send(await artifacts.upload(req.params.id, req.params['*'], body));
      },
    );

    app.get<{ Params: { id: string }; Querystring: { path?: string } }>(
      '/runs/:id/artifacts',
      { schema: { params: params('id'), querystring: obj({ path: str }) } },
      async (req) => ({ files: await artifacts.list(req.params.id, req.query.path ?? '') }),
    );

    app.get<{ Params: WildcardParams }>(
      '/runs/:id/artifacts/*',
      { schema: { params: wildcardParams } },
      async (req, reply) => {
        const stream = await artifacts.download(req.params.id, req.params['*']);
        return sendArtifact(reply, req.params['*'], stream);
      },
    );
  };
}
