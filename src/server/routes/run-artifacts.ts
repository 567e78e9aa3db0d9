/**
 * `/runs/:id/artifacts`: upload (raw body, streamed to the store), list and download a run's files.
 * Path checks live in the store layer (checkArtifactPath); this file only hands the decoded path on.
 */
import type { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Platform } from '../../platform.js';
import { artifactTooLarge } from '../../tracking/artifact-path.js';
import { nonEmpty, obj, params, str } from './schemas.js';

type WildcardParams = { id: string; '*': string };
/** The run id and the (already percent-decoded) artifact path after `/artifacts/`. */
const wildcardParams = obj({ id: nonEmpty, '*': str }, ['id', '*']);

/** Content types by file extension; anything else downloads as bytes. */
const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  log: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  yaml: 'text/yaml; charset=utf-8',
  yml: 'text/yaml; charset=utf-8',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  // HTML and SVG are left out on purpose: served from the API's origin they could run scripts.
};

/** The content type of an artifact, guessed from its extension (`MLmodel` is YAML). */
export function contentTypeOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name === 'MLmodel') return CONTENT_TYPES.yaml;
  const dot = name.lastIndexOf('.');
  return (dot > 0 && CONTENT_TYPES[name.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}

/** Routes of run artifacts. Registered in their own scope: the raw-body parsers stay inside it. */
export function runArtifactRoutes({ artifacts, config }: Platform): FastifyPluginAsync {
  return async (app) => {
    // Uploads are bytes whatever their Content-Type (a `.json` artifact is not a JSON request), so
    // every parser is replaced by one that hands the request stream on unread.
    app.removeAllContentTypeParsers();
    const passThrough = (
      req: FastifyRequest,
      payload: Readable,
      done: (err: Error | null, body?: Readable) => void,
    ) => {
      // Refuse before reading a byte; the store still meters chunked bodies, which declare no length.
      const declared = Number(req.headers['content-length']);
      if (declared > config.maxUploadBytes) {
        const path = (req.params as Partial<WildcardParams>)['*'] ?? '';
        done(artifactTooLarge(path, config.maxUploadBytes));
        return;
      }
      done(null, payload);
    };
    app.addContentTypeParser('application/octet-stream', passThrough);
    app.addContentTypeParser('*', passThrough);

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
        return reply
          .type(contentTypeOf(req.params['*']))
          .header('x-content-type-options', 'nosniff')
          .send(stream);
      },
    );
  };
}
