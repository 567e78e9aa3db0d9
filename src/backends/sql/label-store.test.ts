/** Labels kept in the metadata database: idempotent upserts, filters, reopen; SQLite and PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqlBackend, sqlBackends } from '../../../test/helpers/sql-backends.js';
import type { Label } from '../../monitoring/performance/types.js';
import { openSqlDatabase } from './connect.js';
import { SqlLabelStore } from './label-store.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');

describe.each(sqlBackends('label-store'))('label store over %s', (_name, make) => {
  let backend: SqlBackend;
  beforeAll(async () => {
    backend = await make();
  });
  afterAll(() => backend.dispose());

  const withStore = async <T>(fn: (store: SqlLabelStore) => Promise<T>): Promise<T> => {
    const sql = await openSqlDatabase(backend.uri);
    try {
      return await fn(new SqlLabelStore(sql));
    } finally {
      await sql.close();
    }
  };

  it('keeps request and entity labels across a reopen; the latest value of a key wins', async () => {
    await withStore((s) =>
      s.upsert(
        [
          { model: 'fraud', requestId: 'r1', rowIndex: 0, value: 0, ts: T0 },
          { model: 'fraud', requestId: 'r1', rowIndex: 1, value: 'spam', ts: T0 + 1 },
          { model: 'fraud', entity: { user_id: 7, country: 'FR' }, value: 2.5, ts: T0 + 2 },
          { model: 'churn', requestId: 'r1', rowIndex: 0, value: 1, ts: T0 },
        ],
        T0 + 10,
      ),
    );
    // The same keys again (entity keys in another order): replaced, not added.
    await withStore((s) =>
      s.upsert(
        [
          { model: 'fraud', requestId: 'r1', rowIndex: 0, value: 1, ts: T0 + 5 },
          { model: 'fraud', entity: { country: 'FR', user_id: 7 }, value: 3.5, ts: T0 + 2 },
        ],
        T0 + 20,
      ),
    );
    const labels = await withStore((s) => s.list({ model: 'fraud' }));
    expect(labels).toEqual([
      { model: 'fraud', requestId: 'r1', rowIndex: 1, value: 'spam', ts: T0 + 1, receivedAt: T0 + 10 },
      { model: 'fraud', entity: { country: 'FR', user_id: 7 }, value: 3.5, ts: T0 + 2, receivedAt: T0 + 20 },
      { model: 'fraud', requestId: 'r1', rowIndex: 0, value: 1, ts: T0 + 5, receivedAt: T0 + 20 },
    ]);
    expect(await withStore((s) => s.count('fraud'))).toBe(3);
    expect(await withStore((s) => s.count('churn'))).toBe(1);
  });

  it('takes the last of duplicate keys within one batch, writes large batches, filters by time', async () => {
    const many: Label[] = Array.from({ length: 1_203 }, (_, i) => ({
      model: 'big',
      requestId: `q${i}`,
      rowIndex: 0,
      value: i % 2,
      ts: T0 + i * 1000,
    }));
    many.push({ model: 'big', requestId: 'q0', rowIndex: 0, value: 9, ts: T0 });
    await withStore((s) => s.upsert(many, T0));
    expect(await withStore((s) => s.count('big'))).toBe(1_203);
    const first = await withStore((s) => s.list({ model: 'big', to: T0 + 3000 }));
    expect(first.map((l) => l.value)).toEqual([9, 1, 0]);
    const window = await withStore((s) => s.list({ model: 'big', from: T0 + 1000_000, to: T0 + 1010_000 }));
    expect(window).toHaveLength(10);
    expect(await withStore((s) => s.delete('big'))).toBe(1_203);
    expect(await withStore((s) => s.count('big'))).toBe(0);
  });
});
