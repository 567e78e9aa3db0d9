/**
 * What every artifact route shares, whichever protocol it speaks: uploads stream in unparsed (with
 * an early 413), downloads stream out with a safe content type.
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { artifactTooLarge } from '../tracking/artifact-path.js';

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

/** Streams an artifact to the client; `nosniff` keeps browsers from guessing a riskier type. */
export function sendArtifact(reply: FastifyReply, path: string, stream: Readable): FastifyReply {
  return reply.type(contentTypeOf(path)).header('x-content-type-options', 'nosniff').send(stream);
}

/**
 * Makes request bodies in this plugin scope raw streams: an uploaded `.json` file is bytes, not a
 * JSON request. A body whose declared length is over `maxBytes` is refused before a byte is read;
 * the store still meters chunked bodies, which declare no length.
 */
export function acceptRawUploads(app: FastifyInstance, maxBytes: number): void {
  app.removeAllContentTypeParsers();
  const passThrough = (
    req: FastifyRequest,
    payload: Readable,
    done: (err: Error | null, body?: Readable) => void,
  ) => {
    const declared = Number(req.headers['content-length']);
    if (declared > maxBytes) {
      done(artifactTooLarge((req.params as { '*'?: string })['*'] ?? '', maxBytes));
      return;
    }
    done(null, payload);
  };
  app.addContentTypeParser('application/octet-stream', passThrough);
  app.addContentTypeParser('*', passThrough);
}
