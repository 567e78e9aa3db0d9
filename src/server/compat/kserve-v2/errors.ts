/** V2 protocol errors: every failure is `{"error": "<message>"}`, as Triton and KServe render them. */
import type { FastifyInstance } from 'fastify';
import { httpStatusOf, isSlipwayError } from '../../../core/errors.js';
import { toSlipwayError } from '../../errors.js';

/** Sets the V2 error handler on an encapsulated scope (the app's native handler stays elsewhere). */
export function installV2Errors(scope: FastifyInstance): void {
  scope.setErrorHandler((err, req, reply) => {
    const known = isSlipwayError(err);
    const e = toSlipwayError(err);
    const status = httpStatusOf(e.code);
    // Only failures nobody anticipated get a log line: 429/503/504 come in floods under overload,
    // and logging each would make the overload worse.
    if (status === 500) req.log.error({ err }, 'request failed');
    if (status === 429 || status === 503) reply.header('Retry-After', '1');
    // An unanticipated error's text may describe internals; a SlipwayError's was written for users.
    const message = known || status !== 500 ? e.message : 'internal error';
    return reply.status(status).send({ error: message });
  });
}
