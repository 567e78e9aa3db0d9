/**
 * The behaviour every `OnlineStore` backend must show (Feast's universal online-store tests).
 * Each backend's test file calls `onlineStoreSuite` with a factory giving a ready store (init()
 * done) over the same storage on every call: the concurrency test opens several at once. Every test
 * uses views no other test uses, so tests share the storage without seeing each other.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../core/errors.js';
import type { FeatureScalar, OnlineRow, OnlineStore } from './types.js';

const newView = (name = 'driver_hourly') => `${name}_${randomUUID().slice(0, 8)}`;
const keysOf = (rows: OnlineRow[]) => rows.map((r) => r.entityKey);

const row = (
  entityKey: string,
  values: Record<string, FeatureScalar>,
  eventTimestamp: number,
  createdTimestamp?: number,
): OnlineRow =>
  createdTimestamp === undefined
    ? { entityKey, values, eventTimestamp }
    : { entityKey, values, eventTimestamp, createdTimestamp };

async function expectFailure(promise: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<void> {
  const err = await promise.then(
    (): Error & { code?: unknown } => new Error('expected a failure, but the call succeeded'),
    (e: unknown) => e as Error & { code?: unknown },
  );
  expect(err.code, err.message).toBe(code);
  expect(err.message).toMatch(message);
}

/** Every kind of value a feature can hold, including strings that look like other types. */
const EVERY_TYPE: Record<string, FeatureScalar> = {
  int: 42,
  negative: -7,
  float: 0.1 + 0.2,
  max_safe: Number.MAX_SAFE_INTEGER,
  smallest: 5e-324,
  largest: Number.MAX_VALUE,
  zero: 0,
  yes: true,
  no: false,
  one_as_string: '1',
  true_as_string: 'true',
  null_as_string: 'null',
  empty: '',
  escapes: 'say "hi"\n\ttab \\ back',
  unicode: 'naïve ☃ 🚀 日本',
  missing: null,
  'dotted.name with space:colon': 'odd feature names work too',
};

/** Runs the shared online-store tests against one backend. */
export function onlineStoreSuite(name: string, open: () => Promise<OnlineStore>): void {
  describe(`online store on ${name}`, () => {
    let store: OnlineStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('round-trips values of every type exactly', async () => {
      const view = newView();
      const rows = [
        row('driver_id=1001', EVERY_TYPE, 1_700_000_000_000),
        row('customer_id="c:7*?[x]"|merchant_id=3', { ...EVERY_TYPE, int: 43 }, 1_700_000_000_001, 17),
      ];
      await store.write(view, rows);
      expect(await store.read(view, keysOf(rows), Object.keys(EVERY_TYPE))).toStrictEqual(rows);
    });

    it('reads unknown entity keys, and any key of an unknown view, as undefined', async () => {
      const view = newView();
      await store.write(view, [row('driver_id=1', { trips: 1 }, 10)]);
      expect(await store.read(view, ['driver_id=2', 'driver_id=3'], ['trips'])).toStrictEqual([
        undefined,
        undefined,
      ]);
      expect(await store.read(newView(), ['driver_id=1'], ['trips'])).toStrictEqual([undefined]);
    });

    it('returns only the requested features, with null for those the stored row lacks', async () => {
      const view = newView();
      await store.write(view, [row('driver_id=1', { a: 1, b: 'two', c: true }, 10)]);
      const [found] = await store.read(view, ['driver_id=1'], ['c', 'not_there', 'a']);
      expect(found?.values).toStrictEqual({ c: true, not_there: null, a: 1 });
      expect(Object.keys(found?.values ?? {})).toEqual(['c', 'not_there', 'a']);
      const [bare] = await store.read(view, ['driver_id=1'], []);
      expect(bare).toStrictEqual(row('driver_id=1', {}, 10));
    });

    it('keeps a feature named __proto__ as a plain value', async () => {
      const view = newView();
      const values = JSON.parse('{"__proto__": 5, "a": "x"}') as Record<string, FeatureScalar>;
      await store.write(view, [row('k=1', values, 1), row('k=2', values, 1)]);
      for (const keys of [['k=1'], ['k=1', 'k=2']]) {
        for (const found of await store.read(view, keys, ['a', '__proto__'])) {
          expect(Object.getPrototypeOf(found?.values)).toBe(Object.prototype);
          expect(Object.entries(found?.values ?? {})).toEqual([
            ['a', 'x'],
            ['__proto__', 5],
          ]);
        }
      }
    });

    it('replaces the whole row, so features and a created timestamp missing from a newer row are gone', async () => {
      const view = newView();
      await store.write(view, [row('driver_id=1', { a: 1, b: 2 }, 10, 9)]);
      await store.write(view, [row('driver_id=1', { a: 3 }, 20)]);
      expect(await store.read(view, ['driver_id=1'], ['a', 'b'])).toStrictEqual([
        row('driver_id=1', { a: 3, b: null }, 20),
      ]);
    });

    it('ignores a row with an older event timestamp', async () => {
      const view = newView();
      expect(await store.write(view, [row('driver_id=1', { v: 'new' }, 2_000, 1)])).toBe(1);
      expect(await store.write(view, [row('driver_id=1', { v: 'old' }, 1_000, 99)])).toBe(0);
      expect(await store.read(view, ['driver_id=1'], ['v'])).toStrictEqual([
        row('driver_id=1', { v: 'new' }, 2_000, 1),
      ]);
    });

    it('decides equal event timestamps by the created timestamp, a missing one counting as 0', async () => {
      const view = newView();
      const key = 'driver_id=1';
      expect(await store.write(view, [row(key, { v: 'a' }, 1_000)])).toBe(1);
      expect(await store.write(view, [row(key, { v: 'b' }, 1_000, 5)])).toBe(1);
      expect(await store.write(view, [row(key, { v: 'c' }, 1_000, 4)])).toBe(0);
      expect(await store.write(view, [row(key, { v: 'd' }, 1_000)])).toBe(0);
      expect(await store.write(view, [row(key, { v: 'e' }, 1_000, 6)])).toBe(1);
      expect(await store.read(view, [key], ['v'])).toStrictEqual([row(key, { v: 'e' }, 1_000, 6)]);
    });

    it('ignores a row whose event and created timestamps both equal the stored ones', async () => {
      const view = newView();
      await store.write(view, [
        row('driver_id=1', { v: 'first' }, 1_000, 5),
        row('driver_id=2', { v: 'first' }, 1_000),
      ]);
      const again = [
        row('driver_id=1', { v: 'second' }, 1_000, 5),
        row('driver_id=2', { v: 'second' }, 1_000),
      ];
      expect(await store.write(view, again)).toBe(0);
      const found = await store.read(view, ['driver_id=1', 'driver_id=2'], ['v']);
      expect(found.map((r) => r?.values.v)).toEqual(['first', 'first']);
    });

    it('returns how many rows were actually written', async () => {
      const view = newView();
      await store.write(
        view,
        [1, 2, 3].map((i) => row(`driver_id=${i}`, { v: 0 }, 100)),
      );
      const batch = [
        row('driver_id=1', { v: 1 }, 101), // newer
        row('driver_id=2', { v: 1 }, 99), // older
        row('driver_id=3', { v: 1 }, 100, 1), // same event time, later created time
        row('driver_id=4', { v: 1 }, 1), // new key
      ];
      expect(await store.write(view, batch)).toBe(3);
      const found = await store.read(view, keysOf(batch), ['v']);
      expect(found.map((r) => r?.values.v)).toEqual([1, 0, 1, 1]);
    });

    it('writes 0 rows when the same batch is written again', async () => {
      const view = newView();
      const batch = Array.from({ length: 100 }, (_, i) =>
        row(`driver_id=${i}`, { trips: i, ok: i % 2 === 0 }, 1_000 + i, 7),
      );
      expect(await store.write(view, batch)).toBe(100);
      expect(await store.write(view, batch)).toBe(0);
      expect(await store.read(view, keysOf(batch), ['trips', 'ok'])).toStrictEqual(batch);
    });

    it('applies the rows of one batch in order, so a later newer row for the same key wins', async () => {
      const view = newView();
      const batch = [row('k=1', { v: 'a' }, 1), row('k=1', { v: 'c' }, 3), row('k=1', { v: 'b' }, 2)];
      expect(await store.write(view, batch)).toBe(2);
      expect((await store.read(view, ['k=1'], ['v']))[0]?.values.v).toBe('c');
    });

    it('keeps the newest values when 50 concurrent writers race on the same keys, never regressing', async () => {
      const view = newView();
      const keys = Array.from({ length: 10 }, (_, i) => `driver_id=${i}`);
      // Values follow from the timestamps alone, so rows that tie on both carry the same values and
      // the expected end state does not depend on which of them landed first.
      const randomRow = (key: string) => {
        const ts = Math.floor(Math.random() * 1_000);
        const cts = Math.floor(Math.random() * 3);
        return row(key, { ts, label: `${ts}/${cts}`, even: ts % 2 === 0 }, ts, cts);
      };
      const batches = Array.from({ length: 50 }, () => Array.from({ length: 10 }, () => keys.map(randomRow)));
      const newest = new Map<string, OnlineRow>();
      for (const r of batches.flat(2)) {
        const seen = newest.get(r.entityKey);
        if (!seen || r.eventTimestamp > seen.eventTimestamp) newest.set(r.entityKey, r);
        else if (r.eventTimestamp === seen.eventTimestamp && r.createdTimestamp! > seen.createdTimestamp!) {
          newest.set(r.entityKey, r);
        }
      }
      const writers = await Promise.all(batches.map(() => open()));
      try {
        let done = false;
        const regressions: string[] = [];
        const watch = (async () => {
          const last = new Map<string, number>();
          while (!done) {
            for (const r of await store.read(view, keys, ['ts'])) {
              if (!r) continue;
              const order = r.eventTimestamp * 10 + r.createdTimestamp!;
              if (order < (last.get(r.entityKey) ?? -1))
                regressions.push(`${r.entityKey} went back to ${order}`);
              last.set(r.entityKey, order);
            }
            await new Promise((resolve) => setImmediate(resolve));
          }
        })();
        await Promise.all(
          writers.map(async (writer, w) => {
            for (const batch of batches[w]) await writer.write(view, batch);
          }),
        ).finally(() => {
          done = true;
        });
        await watch;
        expect(regressions).toEqual([]);
        expect(await store.read(view, keys, ['ts', 'label', 'even'])).toStrictEqual(
          keys.map((k) => newest.get(k)),
        );
      } finally {
        await Promise.all(writers.map((writer) => writer.close()));
      }
    });

    it('returns one result per key in input order, duplicates included', async () => {
      const view = newView();
      await store.write(
        view,
        ['a', 'b', 'c'].map((k, i) => row(`k=${k}`, { n: i }, 1)),
      );
      const asked = ['k=c', 'k=missing', 'k=a', 'k=c', 'k=b', 'k=a'];
      const found = await store.read(view, asked, ['n']);
      expect(found.map((r) => r?.entityKey)).toEqual(['k=c', undefined, 'k=a', 'k=c', 'k=b', 'k=a']);
      expect(found.map((r) => r?.values.n)).toEqual([2, undefined, 0, 2, 1, 0]);
    });

    it('writes a 10,000-row batch and reads 100, then 1,200, of its keys back', async () => {
      const view = newView();
      const features = Array.from({ length: 10 }, (_, f) => `f${f}`);
      const rows = Array.from({ length: 10_000 }, (_, i) =>
        row(
          `driver_id=${i}`,
          Object.fromEntries(features.map((f, j) => [f, j % 3 === 0 ? `${i}` : i * j + 0.5])),
          i,
        ),
      );
      expect(await store.write(view, rows)).toBe(10_000);
      const picked = Array.from({ length: 100 }, (_, i) => rows[(i * 7_919) % rows.length]);
      expect(await store.read(view, keysOf(picked), features)).toStrictEqual(picked);
      const many = rows.slice(2_000, 3_200); // more keys than backends tend to read in one piece
      const found = await store.read(view, keysOf(many), ['f1']);
      expect(found.map((r) => r?.values.f1)).toEqual(many.map((r) => r.values.f1));
    });

    it('deletes only the given view, after which its keys can be written afresh', async () => {
      const [view, other] = [newView(), newView()];
      const extended = `${view}:more`; // a name that starts with the deleted one must survive
      for (const v of [view, other, extended]) await store.write(v, [row('k=1', { v }, 1_000)]);
      await store.deleteView(view);
      expect(await store.read(view, ['k=1'], ['v'])).toStrictEqual([undefined]);
      expect((await store.read(other, ['k=1'], ['v']))[0]?.values.v).toBe(other);
      expect((await store.read(extended, ['k=1'], ['v']))[0]?.values.v).toBe(extended);
      expect(await store.write(view, [row('k=1', { v: 'again' }, 1)])).toBe(1);
      await store.deleteView(newView()); // an unknown view is not an error
    });

    it('writes and reads nothing for empty lists', async () => {
      const view = newView();
      expect(await store.write(view, [])).toBe(0);
      expect(await store.read(view, [], ['a'])).toEqual([]);
    });

    it('rejects a bad row with an error naming the field, writing none of the batch', async () => {
      const view = newView();
      const good = row('k=1', { a: 1 }, 1);
      await expectFailure(
        store.write(view, [good, row('k=2', { a: 1 }, Number.NaN)]),
        'INVALID_PARAMETER_VALUE',
        /rows\[1\]\.eventTimestamp/,
      );
      await expectFailure(
        store.write(view, [row('k=2', { a: Number.POSITIVE_INFINITY }, 1)]),
        'INVALID_PARAMETER_VALUE',
        /rows\[0\]\.values\.a.*Infinity/,
      );
      await expectFailure(
        store.write(view, [row('', { a: 1 }, 1)]),
        'INVALID_PARAMETER_VALUE',
        /rows\[0\]\.entityKey/,
      );
      await expectFailure(
        store.write(view, [{ ...good, values: { a: [1] as never } }]),
        'INVALID_PARAMETER_VALUE',
        /rows\[0\]\.values\.a/,
      );
      await expectFailure(store.write('', [good]), 'INVALID_PARAMETER_VALUE', /'view'/);
      await expectFailure(
        store.read(view, ['k=1', 7 as never], ['a']),
        'INVALID_PARAMETER_VALUE',
        /entityKeys\[1\]/,
      );
      expect(await store.read(view, ['k=1'], ['a'])).toStrictEqual([undefined]);
    });

    it('stores features named like the timestamps or other bookkeeping as ordinary features', async () => {
      const view = newView();
      const values = { _ts: 'a', _cts: 'b', _v: 'c', event_ts: 1, values_json: 2 };
      await store.write(view, [row('k=1', values, 5, 6), row('k=2', values, 5)]);
      expect(await store.read(view, ['k=1', 'k=2'], Object.keys(values))).toStrictEqual([
        row('k=1', values, 5, 6),
        row('k=2', values, 5),
      ]);
    });
  });
}
