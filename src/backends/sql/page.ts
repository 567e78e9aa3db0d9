import type { Page } from '../../core/types.js';
import { decodePageToken, encodePageToken } from '../../tracking/search/page-token.js';

interface Pageable<R> {
  limit(n: number): { offset(n: number): { execute(): Promise<R[]> } };
}

/**
 * Runs `query` for one page: reads one row more than asked to know whether a next page exists,
 * turns the rows into items, and hands back the token of the next page.
 */
export async function fetchPage<R, T>(
  query: Pageable<R>,
  page: { maxResults: number; pageToken?: string },
  toItems: (rows: R[]) => T[] | Promise<T[]>,
): Promise<Page<T>> {
  const offset = decodePageToken(page.pageToken);
  const rows = await query
    .limit(page.maxResults + 1)
    .offset(offset)
    .execute();
  const items = await toItems(rows.slice(0, page.maxResults));
  return rows.length > page.maxResults
    ? { items, nextPageToken: encodePageToken(offset + page.maxResults) }
    : { items };
}
