/**
 * Opaque page tokens for search listings: base64 of `{"offset": n}`. Clients only hand back what a
 * previous page gave them, so the format can change without a protocol change.
 */
import { invalidParameter } from '../../core/errors.js';

/** The token for the page that starts `offset` rows into the ordered result. */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

/**
 * The row offset a page token stands for; 0 for no token (the first page).
 *
 * @throws SlipwayError INVALID_PARAMETER_VALUE naming `page_token` when the token was not made here.
 */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const invalid = invalidParameter('page_token', 'a token returned by a previous search', token);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) throw invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw invalid;
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw invalid;
  return offset;
}

/** The most results one page of any search may hold (MLflow's own ceiling for search_runs). */
export const MAX_PAGE_SIZE = 50_000;

/**
 * A requested page size, or `fallback` when none was asked for. Anything but an integer in
 * 1..MAX_PAGE_SIZE is refused: a zero or negative size must never turn into an unbounded query.
 */
export function checkPageSize(
  maxResults: number | undefined,
  fallback: number,
  field = 'max_results',
): number {
  const n = maxResults ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PAGE_SIZE)
    throw invalidParameter(field, `an integer between 1 and ${MAX_PAGE_SIZE}`, maxResults);
  return n;
}
