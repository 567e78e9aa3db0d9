/** Outcome events kept in the metadata database: idempotent upserts, filters, reopen; SQLite and PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqlBackend, sqlBackends } from '../../../test/helpers/sql-backends.js';
import type { OutcomeEvent } from '../../monitoring/business/types.js';
import { openSqlDatabase } from './connect.js';
import { SqlEventStore } from './event-store.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');

describe.each(sqlBackends('event-store'))('event store over %s', (_name, make) => {
  let backend: SqlBackend;
  beforeAll(async () => {
    backend = await make();
  });
  afterAll(() => backend.dispose());

  const withStore = async <T>(fn: (store: SqlEventStore) => Promise<T>): Promise<T> => {
    const sql = await openSqlDatabase(backend.uri);
    try {
      return await fn(new SqlEventStore(sql));
    } finally {
      await sql.close();
    }
  };

  it('keeps request and entity events across a reopen; an event sent again replaces its value', async () => {
    await withStore((s) =>
      s.upsert(
        [
          { model: 'fraud', name: 'converted', requestId: 'r1', rowIndex: 0, value: 1, ts: T0 },
          // Another event of the same prediction: kept beside it.
          {
            model: 'fraud',
            name: 'chargeback_amount',
            requestId: 'r1',
            rowIndex: 0,
            value: 12.5,
            ts: T0 + 1,
          },
          { model: 'fraud', name: 'converted', entity: { user_id: 7, country: 'FR' }, value: 1, ts: T0 + 2 },
          { model: 'churn', name: 'converted', requestId: 'r1', rowIndex: 0, value: 1, ts: T0 },
        ],
        T0 + 10,
      ),
    );
    // The same keys again (entity keys in another order): replaced, not added.
    await withStore((s) =>
      s.upsert(
        [
          { model: 'fraud', name: 'chargeback_amount', requestId: 'r1', rowIndex: 0, value: 40, ts: T0 + 5 },
          { model: 'fraud', name: 'converted', entity: { country: 'FR', user_id: 7 }, value: 3, ts: T0 + 2 },
        ],
        T0 + 20,
      ),
    );
    const events = await withStore((s) => s.list({ model: 'fraud' }));
    expect(events).toEqual([
      {
        model: 'fraud',
        name: 'converted',
        requestId: 'r1',
        rowIndex: 0,
        value: 1,
        ts: T0,
        receivedAt: T0 + 10,
      },
      {
        model: 'fraud',
        name: 'converted',
        entity: { country: 'FR', user_id: 7 },
        value: 3,
        ts: T0 + 2,
        receivedAt: T0 + 20,
      },
      {
        model: 'fraud',
        name: 'chargeback_amount',
        requestId: 'r1',
        rowIndex: 0,
        value: 40,
        ts: T0 + 5,
        receivedAt: T0 + 20,
      },
    ]);
    expect(await withStore((s) => s.list({ model: 'fraud', names: ['chargeback_amount'] }))).toHaveLength(1);
    expect(await withStore((s) => s.list({ model: 'fraud', names: [] }))).toEqual([]);
    expect(await withStore((s) => s.count('fraud'))).toBe(3);
    expect(await withStore((s) => s.count('churn'))).toBe(1);
  });

  it('takes the last of duplicate keys within one batch, writes large batches, filters by time', async () => {
    const many: OutcomeEvent[] = Array.from({ length: 1_203 }, (_, i) => ({
      model: 'big',
      name: 'converted',
      requestId: `q${i}`,
      rowIndex: 0,
      value: i % 2,
      ts: T0 + i * 1000,
    }));
    many.push({ model: 'big', name: 'converted', requestId: 'q0', rowIndex: 0, value: 9, ts: T0 });
    await withStore((s) => s.upsert(many, T0));
    expect(await withStore((s) => s.count('big'))).toBe(1_203);
    const first = await withStore((s) => s.list({ model: 'big', to: T0 + 3000 }));
    expect(first.map((e) => e.value)).toEqual([9, 1, 0]);
    const window = await withStore((s) => s.list({ model: 'big', from: T0 + 1000_000, to: T0 + 1010_000 }));
    expect(window).toHaveLength(10);
    expect(await withStore((s) => s.delete('big'))).toBe(1_203);
    expect(await withStore((s) => s.count('big'))).toBe(0);
  });
});
