/**
 * One error type for the whole platform. Domain code throws `SlipwayError` with a code; each protocol
 * adapter renders it in its own shape (MLflow `{error_code, message}`, native `{error:{code,message,details}}`),
 * and `httpStatusOf` is the single code → HTTP status table.
 */
export type ErrorCode =
  | 'INVALID_PARAMETER_VALUE'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'INVALID_STATE'
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'PAYLOAD_TOO_LARGE'
  | 'REQUEST_LIMIT_EXCEEDED'
  | 'TEMPORARILY_UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'CANCELLED'
  | 'INTERNAL_ERROR';

const STATUS: Record<ErrorCode, number> = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_STATE: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  PAYLOAD_TOO_LARGE: 413,
  REQUEST_LIMIT_EXCEEDED: 429,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  // nginx's "client closed request": nobody is left to read it, but logs and metrics can tell it apart.
  CANCELLED: 499,
  INTERNAL_ERROR: 500,
};

export type ErrorDetails = Record<string, unknown>;

export class SlipwayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'SlipwayError';
  }
}

/** HTTP status for an error code (the one table every protocol adapter uses). */
export function httpStatusOf(code: ErrorCode): number {
  return STATUS[code];
}

export function isSlipwayError(err: unknown): err is SlipwayError {
  return err instanceof SlipwayError;
}

/** `field` was wrong: names the field, what was expected and what arrived. */
export function invalidParameter(field: string, expected: string, got: unknown): SlipwayError {
  return new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `Invalid value for '${field}': expected ${expected}, got ${describe(got)}`,
    { field, expected, got: describe(got) },
  );
}

export function notFound(what: string, id: string, message?: string): SlipwayError {
  return new SlipwayError('RESOURCE_DOES_NOT_EXIST', message ?? `${what} '${id}' does not exist`, {
    resource: what,
    id,
  });
}

export function alreadyExists(what: string, id: string, message?: string): SlipwayError {
  return new SlipwayError('RESOURCE_ALREADY_EXISTS', message ?? `${what} '${id}' already exists`, {
    resource: what,
    id,
  });
}

/** A short, safe rendering of a received value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length > 60 ? `'${value.slice(0, 57)}...'` : `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${typeof value}`;
}
