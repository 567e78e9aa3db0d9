/**
 * Property test: random small tables (many ties, TTL edges, nulls, unmatched keys, rows out of
 * order, late rows with later created timestamps) joined by DuckDB and by a brute-force reference.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import type { FeatureScalar } from '../types.js';
import { getHistoricalFeatures, type HistoricalRequest, type HistoricalView } from './historical.js';

const MINUTE = 60_000;
const T0 = Date.parse('2024-03-01T00:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'slipway-pit-property-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** mulberry32: small, seedable, good enough to pick test data. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rng>;

interface FeatureRow {
  driver_id: number | null;
  ts: number | null;
  created: number | null;
  a: number | null;
  b: string | null;
}
interface ViewData {
  name: string;
  rows: FeatureRow[];
  hasCreated: boolean;
  ttlSeconds: number;
  format: 'parquet' | 'csv';
}
interface EntityRow {
  id: number;
  driver_id: number | null;
  ts: number | null;
}

/** Timestamps on a 20-minute grid so that equal timestamps, and rows exactly TTL old, are common. */
function randomView(r: Rng, name: string): ViewData {
  const rows: FeatureRow[] = [];
  const n = 1 + r.int(40);
  for (let i = 0; i < n; i++) {
    rows.push({
      driver_id: r.chance(0.05) ? null : 1 + r.int(5),
      ts: r.chance(0.05) ? null : T0 + r.int(20) * MINUTE,
      created: r.chance(0.15) ? null : T0 + r.int(6) * MINUTE,
      a: r.chance(0.15) ? null : r.int(1000),
      b: r.chance(0.15) ? null : `v${i}`,
    });
  }
  return {
    name,
    rows,
    hasCreated: r.chance(0.7),
    ttlSeconds: [0, 60, 180, 300, 0.5][r.int(5)],
    format: r.chance(0.5) ? 'csv' : 'parquet',
  };
}

function randomEntities(r: Rng): EntityRow[] {
  return Array.from({ length: 1 + r.int(150) }, (_, id) => ({
    id,
    driver_id: r.chance(0.03) ? null : 1 + r.int(7), // 6 and 7 never have features
    ts: r.chance(0.03) ? null : T0 + (r.int(22) - 1) * MINUTE + (r.chance(0.2) ? 30_000 : 0),
  }));
}

/** The semantics, written the obvious way. */
function reference(entities: EntityRow[], views: ViewData[]): Array<Record<string, FeatureScalar>> {
  return entities.map((e) => {
    const out: Record<string, FeatureScalar> = { id: e.id };
    for (const v of views) {
      let best: { row: FeatureRow; pos: number } | undefined;
      v.rows.forEach((row, pos) => {
        if (
          e.driver_id === null ||
          e.ts === null ||
          row.driver_id !== e.driver_id ||
          row.ts === null ||
          row.ts > e.ts
        )
          return;
        if (best === undefined || newer(row, pos, best.row, best.pos, v.hasCreated)) best = { row, pos };
      });
      const fresh = best !== undefined && (v.ttlSeconds === 0 || e.ts! - best.row.ts! <= v.ttlSeconds * 1000);
      out[`${v.name}__a`] = fresh ? best!.row.a : null;
      out[`${v.name}__b`] = fresh ? best!.row.b : null;
    }
    return out;
  });
}

function newer(x: FeatureRow, xPos: number, y: FeatureRow, yPos: number, byCreated: boolean): boolean {
  if (x.ts !== y.ts) return x.ts! > y.ts!;
  const xc = byCreated ? (x.created ?? -Infinity) : 0;
  const yc = byCreated ? (y.created ?? -Infinity) : 0;
  return xc !== yc ? xc > yc : xPos > yPos;
}

const iso = (ms: number | null) =>
  ms === null ? '' : new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

async function writeView(db: DuckDBInstance, v: ViewData, seed: number): Promise<HistoricalView> {
  const csv = join(dir, `${v.name}-${seed}.csv`);
  const lines = v.rows.map((r) =>
    [r.driver_id ?? '', iso(r.ts), iso(r.created), r.a ?? '', r.b ?? ''].join(','),
  );
  writeFileSync(csv, `driver_id,ts,created,a,b\n${lines.join('\n')}\n`);
  let path = csv;
  if (v.format === 'parquet') {
    path = join(dir, `${v.name}-${seed}.parquet`);
    const conn = await db.connect();
    const types =
      "{'driver_id': 'BIGINT', 'ts': 'TIMESTAMP', 'created': 'TIMESTAMP', 'a': 'BIGINT', 'b': 'VARCHAR'}";
    await conn.run(
      `COPY (SELECT * FROM read_csv('${csv}', columns = ${types}, header = true)) TO '${path}' (FORMAT parquet)`,
    );
    conn.closeSync();
  }
  const srcName = `${v.name}_src`;
  return {
    view: {
      name: v.name,
      entities: ['driver'],
      schema: [
        { name: 'a', type: 'int64' },
        { name: 'b', type: 'string' },
      ],
      source: srcName,
      ttlSeconds: v.ttlSeconds,
      online: false,
      offline: true,
    },
    source: {
      kind: 'file',
      name: srcName,
      path,
      format: v.format,
      timestampField: 'ts',
      createdTimestampField: v.hasCreated ? 'created' : undefined,
    },
    joinKeys: ['driver_id'],
    features: ['a', 'b'],
  };
}

async function entityInput(
  db: DuckDBInstance,
  r: Rng,
  rows: EntityRow[],
  seed: number,
): Promise<HistoricalRequest['entities']> {
  const pick = r.int(3);
  if (pick === 0)
    return { rows: rows.map((e) => ({ id: e.id, driver_id: e.driver_id, event_timestamp: e.ts })) };
  const csv = join(dir, `entities-${seed}.csv`);
  writeFileSync(
    csv,
    `id,driver_id,event_timestamp\n${rows.map((e) => `${e.id},${e.driver_id ?? ''},${iso(e.ts)}`).join('\n')}\n`,
  );
  if (pick === 1) return { path: csv };
  const path = join(dir, `entities-${seed}.parquet`);
  const conn = await db.connect();
  const types = "{'id': 'BIGINT', 'driver_id': 'BIGINT', 'event_timestamp': 'TIMESTAMP'}";
  await conn.run(
    `COPY (SELECT * FROM read_csv('${csv}', columns = ${types}, header = true)) TO '${path}' (FORMAT parquet)`,
  );
  conn.closeSync();
  return { path };
}

describe('getHistoricalFeatures matches a brute-force reference', () => {
  const seeds = Array.from({ length: 60 }, (_, i) => 1000 + i * 7919);
  it.each(seeds)('seed %i', async (seed) => {
    const r = rng(seed);
    const db = await DuckDBInstance.create(':memory:');
    try {
      const data = [randomView(r, 'v1'), randomView(r, 'v2')];
      const entities = randomEntities(r);
      const views = [await writeView(db, data[0], seed), await writeView(db, data[1], seed)];
      const req: HistoricalRequest = {
        entities: await entityInput(db, r, entities, seed),
        views,
        fullFeatureNames: true,
      };
      const { rows } = await getHistoricalFeatures(req, { duckdb: db });
      const got = rows!.map((row) => {
        const { driver_id: _k, event_timestamp: _t, ...rest } = row;
        return rest;
      });
      const want = reference(entities, data);
      // Only the differing rows, with what they saw, so a failure reads without the whole data set.
      const wrong = want.flatMap((w, i) =>
        JSON.stringify(got[i]) === JSON.stringify(w) ? [] : [{ entity: entities[i], got: got[i], want: w }],
      );
      expect(wrong, JSON.stringify(data)).toEqual([]);
    } finally {
      db.closeSync();
    }
  });
});
