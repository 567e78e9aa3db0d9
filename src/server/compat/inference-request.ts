/**
 * Bits every serving protocol adapter shares: cancelling queued work when the client goes away,
 * and stamping which model version answered.
 */
import type { FastifyReply } from 'fastify';
import type { InferenceResult } from '../../serving/types.js';

/**
 * An AbortSignal that fires when the client disconnects before the response is sent, so the engine
 * can drop the request from its queue instead of computing for nobody.
 */
export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) ac.abort();
  });
  return ac.signal;
}

/** Every inference response names the version that produced it (hot swaps stay observable). */
export function stampModelVersion(reply: FastifyReply, result: InferenceResult): void {
  reply.header('x-model-name', result.model);
  reply.header('x-model-version', result.version);
}
