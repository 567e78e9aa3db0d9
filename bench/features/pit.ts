/**
 * Point-in-time join: Slipway `getHistoricalFeatures` vs a raw DuckDB ASOF LEFT JOIN (the floor) vs
 * pandas `merge_asof` (over CSV copies), on the same generated data. Results are checked equal.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { getHistoricalFeatures, type HistoricalView } from '../../src/features/offline/index.js';
import type { FeatureView } from '../../src/features/types.js';

export interface PitCheck {
  rows: number;
  sumA0: number;
  countA0: number;
}
export interface PitResult {
  name: string;
  seconds: number | null;
  check: PitCheck | null;
  note?: string;
}

const ENTITIES = 100_000;
const DAY_US = 86_400_000_000;
const SPAN_US = 30 * DAY_US;
const BASE = "TIMESTAMP '2024-01-01'";

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await f();
  return [(performance.now() - t) / 1000, v];
}

async function checkOf(path: string): Promise<PitCheck> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const r = await conn.runAndReadAll(
      `SELECT count(*)::BIGINT, coalesce(sum(a0), 0)::DOUBLE, count(a0)::BIGINT FROM read_parquet('${path}')`,
    );
    const [n, s, c] = r.getRows()[0];
    return { rows: Number(n), sumA0: Number(s), countA0: Number(c) };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

function view(name: string, prefix: string): FeatureView {
  return {
    name,
    entities: ['driver'],
    schema: [0, 1, 2].map((i) => ({ name: `${prefix}${i}`, type: 'float64' as const })),
    source: `${name}_src`,
    ttlSeconds: 0,
    online: false,
    offline: true,
  };
}

export async function runPit(
  dir: string,
  nE: number,
  nF: number,
  log: (s: string) => void,
): Promise<PitResult[]> {
  mkdirSync(dir, { recursive: true });
  const p = (f: string) => join(dir, f);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const results: PitResult[] = [];
  try {
    log(`generating ${nE} entity rows and 2 × ${nF} feature rows…`);
    const ts = `${BASE} + to_microseconds((random() * ${SPAN_US})::BIGINT)`;
    await conn.run(
      `COPY (SELECT (random() * ${ENTITIES})::BIGINT AS driver_id, ${ts} + INTERVAL 1 DAY AS event_timestamp FROM range(${nE})) TO '${p('entities.parquet')}' (FORMAT parquet)`,
    );
    for (const v of ['a', 'b']) {
      await conn.run(
        `COPY (SELECT (random() * ${ENTITIES})::BIGINT AS driver_id, ${ts} AS event_timestamp, random() AS ${v}0, random() AS ${v}1, random() AS ${v}2 FROM range(${nF})) TO '${p(`${v}.parquet`)}' (FORMAT parquet)`,
      );
    }
    for (const f of ['entities', 'a', 'b'])
      await conn.run(`COPY (FROM read_parquet('${p(`${f}.parquet`)}')) TO '${p(`${f}.csv`)}' (HEADER)`);
  } finally {
    conn.closeSync();
    db.closeSync();
  }

  // (a) Slipway, end to end (its own private DuckDB instance, as users call it).
  const views: HistoricalView[] = ['a', 'b'].map((v) => ({
    view: view(`view_${v}`, v),
    source: {
      kind: 'file',
      name: `view_${v}_src`,
      path: p(`${v}.parquet`),
      format: 'parquet',
      timestampField: 'event_timestamp',
    },
    joinKeys: ['driver_id'],
    features: [0, 1, 2].map((i) => `${v}${i}`),
  }));
  for (const preserveOrder of [true, false]) {
    const out = p(`slipway-${preserveOrder}.parquet`);
    log(`slipway getHistoricalFeatures (preserveOrder=${preserveOrder})…`);
    try {
      const [s] = await timed(() =>
        getHistoricalFeatures({
          entities: { path: p('entities.parquet') },
          views,
          output: out,
          preserveOrder,
        }),
      );
      results.push({
        name: preserveOrder ? 'slipway getHistoricalFeatures' : 'slipway (preserveOrder: false)',
        seconds: s,
        check: await checkOf(out),
      });
    } catch (err) {
      results.push({ name: 'slipway getHistoricalFeatures', seconds: null, check: null, note: String(err) });
    }
  }

  // (b) Raw DuckDB ASOF LEFT JOIN, written to Parquet: with and without restoring entity order.
  for (const ordered of [true, false]) {
    const out = p(`raw-${ordered}.parquet`);
    log(`raw duckdb ASOF (ordered=${ordered})…`);
    const [s] = await timed(async () => {
      const raw = await DuckDBInstance.create(':memory:');
      const c = await raw.connect();
      try {
        await c.run(
          `COPY (SELECT e.driver_id, e.event_timestamp, a.a0, a.a1, a.a2, b.b0, b.b1, b.b2
             FROM read_parquet('${p('entities.parquet')}', file_row_number = true) e
             ASOF LEFT JOIN read_parquet('${p('a.parquet')}') a ON e.driver_id = a.driver_id AND e.event_timestamp >= a.event_timestamp
             ASOF LEFT JOIN read_parquet('${p('b.parquet')}') b ON e.driver_id = b.driver_id AND e.event_timestamp >= b.event_timestamp
             ${ordered ? 'ORDER BY e.file_row_number' : ''}) TO '${out}' (FORMAT parquet)`,
        );
      } finally {
        c.closeSync();
        raw.closeSync();
      }
    });
    results.push({
      name: ordered ? 'raw duckdb ASOF + ORDER BY' : 'raw duckdb ASOF (unordered)',
      seconds: s,
      check: await checkOf(out),
    });
  }

  // (c) pandas merge_asof over CSV.
  const hasPandas = spawnSync('/usr/bin/python3', ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0;
  if (!hasPandas) {
    results.push({ name: 'pandas merge_asof (CSV)', seconds: null, check: null, note: 'pandas unavailable' });
  } else {
    log('pandas merge_asof…');
    const script = fileURLToPath(new URL('./pandas_asof.py', import.meta.url));
    const r = spawnSync('/usr/bin/python3', [script, p('entities.csv'), p('a.csv'), p('b.csv')], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) {
      results.push({
        name: 'pandas merge_asof (CSV)',
        seconds: null,
        check: null,
        note: r.stderr.slice(-300),
      });
    } else {
      const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
      results.push({
        name: 'pandas merge_asof (CSV, read+join+reorder, no write)',
        seconds: j.seconds,
        check: { rows: j.rows, sumA0: j.sumA0, countA0: j.countA0 },
      });
    }
  }
  return results;
}

export function sameCheck(a: PitCheck | null, b: PitCheck | null): boolean {
  if (!a || !b) return false;
  return (
    a.rows === b.rows &&
    a.countA0 === b.countA0 &&
    Math.abs(a.sumA0 - b.sumA0) <= 1e-6 * Math.max(1, Math.abs(a.sumA0))
  );
}
