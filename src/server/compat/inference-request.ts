/**
 * Bits every serving protocol adapter shares: cancelling queued work when the client goes away,
 * the caller's request id, and stamping which model version (and request id) answered.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidParameter } from '../../core/errors.js';
import type { InferenceResult } from '../../serving/types.js';

/**
 * A check the engine polls when it forms a batch: true once the client's connection is gone. Far
 * cheaper per request than an AbortController and a 'close' listener, which the hot path avoids.
 */
export function clientGone(req: FastifyRequest): () => boolean {
  const socket = req.raw.socket;
  return () => socket.destroyed;
}

/**
 * The caller's `X-Request-Id` header (printable ASCII, at most 256 characters): the id the inference
 * log records the request under, and that labels and outcome events refer to. Undefined when absent
 * (the engine then makes one up, sent back in the response's `x-request-id`).
 */
export function requestIdOf(req: FastifyRequest): string | undefined {
  const id = req.headers['x-request-id'];
  if (id === undefined) return undefined;
  if (typeof id !== 'string' || id.length === 0 || id.length > 256 || !/^[\x21-\x7e]+$/.test(id))
    throw invalidParameter('x-request-id', 'one header of 1-256 printable ASCII characters', id);
  return id;
}

/**
 * Every inference response names the version that produced it (hot swaps stay observable) and the
 * request id it is logged under.
 */
export function stampModelVersion(reply: FastifyReply, result: InferenceResult): void {
  reply.header('x-model-name', result.model);
  reply.header('x-model-version', result.version);
  reply.header('x-request-id', result.id);
}
