/** Turns anything thrown in a handler into a SlipwayError, so every protocol renders the same facts. */
import type { FastifyError } from 'fastify';
import { isSlipwayError, SlipwayError } from '../core/errors.js';

/** Field name from an ajv error: `/metrics/0/value` → `metrics[0].value`, or the missing property. */
function fieldOf(v: { instancePath?: string; params?: Record<string, unknown> }): string {
  const path = (v.instancePath ?? '')
    .split('/')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
  const missing = v.params?.missingProperty;
  if (typeof missing === 'string') return path ? `${path}.${missing}` : missing;
  return path || 'body';
}

export function toSlipwayError(err: unknown): SlipwayError {
  if (isSlipwayError(err)) return err;
  const e = err as FastifyError & {
    validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[];
  };
  if (e?.validation && e.validation.length > 0) {
    const v = e.validation[0];
    const field = fieldOf(v);
    const missing = typeof v.params?.missingProperty === 'string';
    return new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      missing
        ? `Missing value for required parameter '${field}'.`
        : `Invalid value for parameter '${field}' in ${e.validationContext ?? 'request'}: ${v.message ?? 'invalid'}`,
      { field, expected: v.message ?? '' },
    );
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new SlipwayError('BAD_REQUEST', `Malformed JSON in request body: ${e.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new SlipwayError('PAYLOAD_TOO_LARGE', 'Request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new SlipwayError('BAD_REQUEST', `Unsupported Content-Type: ${e.message}`);
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new SlipwayError(e.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', e.message);
  }
  return new SlipwayError('INTERNAL_ERROR', 'Internal error', { cause: String(e?.message ?? err) });
}
