/**
 * Bits every serving protocol adapter shares: cancelling queued work when the client goes away,
 * and stamping which model version answered.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { InferenceResult } from '../../serving/types.js';

/**
 * A check the engine polls when it forms a batch: true once the client's connection is gone. Far
 * cheaper per request than an AbortController and a 'close' listener, which the hot path avoids.
 */
export function clientGone(req: FastifyRequest): () => boolean {
  const socket = req.raw.socket;
  return () => socket.destroyed;
}

/** Every inference response names the version that produced it (hot swaps stay observable). */
export function stampModelVersion(reply: FastifyReply, result: InferenceResult): void {
  reply.header('x-model-name', result.model);
  reply.header('x-model-version', result.version);
}
