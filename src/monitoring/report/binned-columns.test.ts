import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DriftColumnInput, detectColumnDrift } from '../drift/index.js';
import { type BinnedColumn, binnedColumnDrift } from './binned-columns.js';
import { readColumns } from './column-values.js';

/** Deterministic uniforms in (0, 1) and normals from row number and a salt (DuckDB's hash). */
const u = (salt: number) => `((hash(i * 977 + ${salt}) >> 11)::DOUBLE + 0.5) / 9007199254740992`;
const normal = (salt: number) => `(sqrt(-2 * ln(${u(salt)})) * cos(2 * pi() * ${u(salt + 500)}))`;

/** Column expressions per side: [reference, current]. */
const COLUMNS: Record<string, [string, string]> = {
  same: [normal(1), normal(2)],
  shifted: [normal(3), `${normal(4)} + 0.3`],
  slightly_shifted: [normal(5), `${normal(6)} + 0.05`],
  near_threshold: [normal(7), `${normal(8)} + 0.1`],
  lognormal: [`exp(0.8 * ${normal(9)})`, `1.3 * exp(0.8 * ${normal(10)})`],
  ties: [`round(10 * ${normal(11)}) / 10`, `round(10 * ${normal(12)} + 2) / 10`],
  beyond_range: [`${u(13)}`, `${u(14)} * 3 - 1`],
  few_values: [`floor(4 * ${u(15)})`, `floor(4 * ${u(16)} ^ 2)`],
  constant: ['1.0', `CASE WHEN i % 1000 = 0 THEN 2.0 ELSE 1.0 END`],
  mostly_null: [`CASE WHEN i < 800 THEN ${normal(17)} END`, `${normal(18)} + 0.2`],
  all_null_current: [normal(19), 'NULL::DOUBLE'],
  with_infinities: [`CASE WHEN i % 97 = 0 THEN 'inf'::DOUBLE ELSE ${normal(20)} END`, normal(21)],
  country: [
    `CASE WHEN ${u(22)} < 0.6 THEN 'DE' WHEN ${u(22)} < 0.9 THEN 'FR' ELSE 'IT' END`,
    `CASE WHEN ${u(23)} < 0.5 THEN 'DE' WHEN ${u(23)} < 0.8 THEN 'FR' WHEN ${u(23)} < 0.95 THEN 'IT' ELSE 'ES' END`,
  ],
};
const ROWS = 200_000;

function relation(path: string): string {
  return `SELECT * FROM read_parquet('${path}')`;
}

async function exactVerdicts(conn: DuckDBConnection, ref: string, cur: string, columns: BinnedColumn[]) {
  const r = await readColumns(conn, ref, columns, 10 * ROWS);
  const c = await readColumns(conn, cur, columns, 10 * ROWS);
  return new Map(
    columns.map((col) => {
      const input = (
        col.kind === 'numeric'
          ? {
              column: col.name,
              kind: 'numeric',
              reference: r.numeric.get(col.name)!,
              current: c.numeric.get(col.name)!,
            }
          : {
              column: col.name,
              kind: 'categorical',
              reference: r.categorical.get(col.name)!,
              current: c.categorical.get(col.name)!,
            }
      ) as DriftColumnInput;
      return [col.name, detectColumnDrift(input)];
    }),
  );
}

describe('binnedColumnDrift (the large-data path) against the exact tests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-binned-'));
  const refPath = join(dir, 'ref.parquet');
  const curPath = join(dir, 'cur.parquet');
  let db: DuckDBInstance;
  let conn: DuckDBConnection;
  const columns: BinnedColumn[] = Object.keys(COLUMNS).map((name) => ({
    name,
    refName: name,
    kind: name === 'country' ? 'categorical' : 'numeric',
  }));

  beforeAll(async () => {
    db = await DuckDBInstance.create(':memory:');
    conn = await db.connect();
    for (const [side, path] of [
      [0, refPath],
      [1, curPath],
    ] as const) {
      const select = Object.entries(COLUMNS)
        .map(([name, exprs]) => `${exprs[side]} AS ${name}`)
        .join(', ');
      await conn.run(`COPY (SELECT ${select} FROM range(${ROWS}) t(i)) TO '${path}' (FORMAT parquet)`);
    }
  });
  afterAll(() => {
    conn?.closeSync();
    db?.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives every score within its stated bound of the exact one, and the same verdict away from the threshold', async () => {
    const { rows, referenceRows, currentRows } = await binnedColumnDrift(
      conn,
      relation(refPath),
      relation(curPath),
      columns,
    );
    expect([referenceRows, currentRows]).toEqual([ROWS, ROWS]);
    const exact = await exactVerdicts(conn, relation(refPath), relation(curPath), columns);
    for (const col of columns) {
      const got = rows.get(col.name)!;
      const want = exact.get(col.name)!;
      expect([col.name, got.test, got.status]).toEqual([col.name, want.test, want.status]);
      expect([got.referenceRows, got.currentRows, got.referenceNulls, got.currentNulls]).toEqual([
        want.referenceRows,
        want.currentRows,
        want.referenceNulls,
        want.currentNulls,
      ]);
      if (want.score === null) {
        expect(got.score).toBeNull();
        continue;
      }
      if (got.method === 'binned') {
        const [lo, hi] = got.bounds!;
        const slack = 1e-9 * Math.max(1, want.score);
        expect(want.score, col.name).toBeGreaterThanOrEqual(lo - slack);
        expect(want.score, col.name).toBeLessThanOrEqual(hi + slack);
        expect(got.score!).toBeGreaterThanOrEqual(lo);
        expect(got.score!).toBeLessThanOrEqual(hi);
        // Fine bins keep the interval narrow next to the 0.1 threshold.
        expect(hi - lo, col.name).toBeLessThan(0.01);
        if (lo >= want.threshold || hi < want.threshold) expect(got.drifted, col.name).toBe(want.drifted);
      } else {
        expect(got.method).toBe('exact');
        expect(got.score!, col.name).toBeCloseTo(want.score, 12);
        expect(got.drifted, col.name).toBe(want.drifted);
      }
    }
    const methods = Object.fromEntries(columns.map((c) => [c.name, rows.get(c.name)!.method]));
    expect(methods).toMatchObject({
      same: 'binned',
      shifted: 'binned',
      mostly_null: 'exact',
      few_values: 'exact',
      country: 'exact',
    });
    expect(rows.get('shifted')!.drifted).toBe(true);
    expect(rows.get('same')!.drifted).toBe(false);
    expect(rows.get('mostly_null')!.test).toBe('ks');
    expect(rows.get('country')!.test).toBe('jensenshannon');
    expect(rows.get('all_null_current')!.status).toBe('insufficient_data');
  });

  it('counts every row into the histograms it draws', async () => {
    const { rows } = await binnedColumnDrift(conn, relation(refPath), relation(curPath), columns);
    for (const name of ['same', 'beyond_range', 'constant', 'lognormal']) {
      const h = rows.get(name)!.histogram!;
      expect(
        h.reference.reduce((a, b) => a + b, 0),
        name,
      ).toBe(ROWS);
      expect(
        h.current.reduce((a, b) => a + b, 0),
        name,
      ).toBe(ROWS);
      expect(h.edges).toHaveLength(h.reference.length + 1);
      for (let i = 1; i < h.edges.length; i++) expect(h.edges[i]!).toBeGreaterThanOrEqual(h.edges[i - 1]!);
    }
  });

  it('never gives a NaN verdict: a single-row window, constant and all-null columns', async () => {
    const { rows } = await binnedColumnDrift(
      conn,
      relation(refPath),
      `${relation(curPath)} LIMIT 1`,
      columns,
    );
    for (const row of rows.values()) {
      expect(row.score === null || Number.isFinite(row.score), row.column).toBe(true);
      expect(typeof row.drifted).toBe('boolean');
      if (row.bounds) expect(row.bounds.every(Number.isFinite)).toBe(true);
    }
    expect(rows.get('constant')!.status).toBe('tested');
    expect(rows.get('all_null_current')!.status).toBe('insufficient_data');
  });
  it('reads the current side in scans as one relation; a column a scan lacks counts as missing there', async () => {
    const numeric = columns.filter((c) => c.kind === 'numeric');
    // The relation (its aggregates run on it) and the same rows as two scans (its streamed pass).
    const union = `${relation(curPath)} UNION ALL SELECT * REPLACE (NULL::DOUBLE AS shifted) FROM read_parquet('${curPath}')`;
    const whole = await binnedColumnDrift(conn, relation(refPath), union, numeric);
    const scanned = await binnedColumnDrift(conn, relation(refPath), union, numeric, {
      currentRows: 2 * ROWS,
      currentScans: [relation(curPath), `SELECT * EXCLUDE (shifted) FROM read_parquet('${curPath}')`],
    });
    expect(scanned.currentRows).toBe(whole.currentRows);
    for (const c of numeric) {
      const [a, b] = [scanned.rows.get(c.name)!, whole.rows.get(c.name)!];
      expect({
        column: c.name,
        score: a.score,
        drifted: a.drifted,
        rows: a.currentRows,
        nulls: a.currentNulls,
      }).toEqual({
        column: c.name,
        score: b.score,
        drifted: b.drifted,
        rows: b.currentRows,
        nulls: b.currentNulls,
      });
    }
  });
});
