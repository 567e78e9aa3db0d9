/**
 * Drift report at scale, through the product path users run: `slipway monitor report` (dist/, as
 * a child process) on ROWS current rows × COLUMNS numeric features written as inference-log
 * segments of one model version, against a REFERENCE_ROWS-row reference Parquet file. Wall time
 * and peak RSS (GNU time's maximum resident set, else /proc/PID/status VmHWM polled) against the
 * issue's targets (10M × 100 vs 1M in ≤ 30 s, ≤ 1 GiB), and in the same run the previous
 * sample-based path (`--large-method sample`, 200,000 rows per side) on the same files.
 *
 *   node --import tsx bench/monitoring/report-scale.ts [--rows 10000000] [--columns 100]
 *     [--reference-rows 1000000] [--segment-rows 10000] [--no-sample]
 *
 * Data (seeded, generated with DuckDB from hashes of the row number, so the same on every run)
 * is cached under scratch/bench-monitoring/ (git-ignored). Column j is normal, lognormal,
 * uniform or rounded normal (ties) by j mod 4; odd columns are shifted in the current window
 * (normed Wasserstein ≈ 0.25–0.35), so half the columns drift. Segments hold `--segment-rows`
 * rows each, as the serving log writes them (10,000 rows per flush).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DriftReport } from '../../src/monitoring/report/index.js';
import { printTable, type Row, writeResults } from '../lib/report.js';

const MODEL = 'bench-drift';
const VERSION = '1';
const DAY = '2025-01-15';
const FROM = `${DAY}T00:00:00Z`;
const TO = `${DAY}T23:59:59Z`;
const TARGET_SECONDS = 30;
const TARGET_RSS_MIB = 1024;

interface Options {
  rows: number;
  columns: number;
  referenceRows: number;
  segmentRows: number;
  sample: boolean;
}

function parse(args: string[]): Options {
  const num = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    const v = i >= 0 ? Number(args[i + 1]) : fallback;
    if (!(Number.isSafeInteger(v) && v > 0)) throw new Error(`--${name} takes a positive integer`);
    return v;
  };
  return {
    rows: num('rows', 10_000_000),
    columns: num('columns', 100),
    referenceRows: num('reference-rows', 1_000_000),
    segmentRows: num('segment-rows', 10_000),
    sample: !args.includes('--no-sample'),
  };
}

/** A uniform in (0, 1) from the row number i and a salt: the same on every run and thread. */
const uniform = (salt: number) => `((hash(i * 1031 + ${salt}) >> 11)::DOUBLE + 0.5) / 9007199254740992`;
const normal = (salt: number) =>
  `(sqrt(-2 * ln(${uniform(salt)})) * cos(2 * pi() * ${uniform(salt + 100_003)}))`;

/** Column j of a side (0 reference, 1 current): four families, odd columns shifted in current. */
function feature(j: number, side: 0 | 1): string {
  const salt = j * 7 + side * 1_000_003;
  const shifted = side === 1 && j % 2 === 1;
  switch (j % 4) {
    case 0:
      return `${normal(salt)}${shifted ? ' + 0.3' : ''}`;
    case 1:
      return `${shifted ? '1.25 * ' : ''}exp(0.5 * ${normal(salt)})`;
    case 2:
      return `${uniform(salt)}${shifted ? ' + 0.1' : ''}`;
    default:
      return `round(10 * ${normal(salt)}${shifted ? ' + 3' : ''}) / 10`;
  }
}

function features(columns: number, side: 0 | 1): string {
  return Array.from({ length: columns }, (_, j) => `${feature(j, side)} AS in_f${j}`).join(', ');
}

/** Writes (once) the reference file and the current window's segments; returns their paths. */
async function ensureData(o: Options): Promise<{ reference: string; log: string }> {
  const dir = resolve(
    'scratch',
    'bench-monitoring',
    `${o.rows}x${o.columns}-ref${o.referenceRows}-seg${o.segmentRows}`,
  );
  const reference = join(dir, 'reference.parquet');
  const log = join(dir, 'inference-log');
  if (existsSync(join(dir, 'complete'))) return { reference, log };
  rmSync(dir, { recursive: true, force: true });
  const part = join(log, MODEL, VERSION, `date=${DAY}`);
  mkdirSync(part, { recursive: true });
  const db = await DuckDBInstance.create(':memory:', { memory_limit: '1GiB' });
  const conn = await db.connect();
  const t0 = performance.now();
  try {
    await conn.run(
      `COPY (SELECT ${features(o.columns, 0)} FROM range(${o.referenceRows}) t(i)) TO '${reference}' (FORMAT parquet)`,
    );
    const start = Date.parse(FROM);
    const spacingMs = (23 * 3600 * 1000) / o.rows;
    for (let s = 0, seq = 0; s < o.rows; s += o.segmentRows, seq++) {
      const e = Math.min(o.rows, s + o.segmentRows);
      const written = Math.round(start + e * spacingMs);
      const file = join(part, `bench-${written}-${seq}.parquet`);
      await conn.run(
        `COPY (SELECT 'req-' || i AS request_id, 0 AS row_index,
           make_timestamp((${start} + i * ${spacingMs})::BIGINT * 1000) AS ts,
           '${MODEL}' AS model, '${VERSION}' AS version, 800 + (hash(i) % 400)::BIGINT AS latency_us,
           'bench' AS replica, ${features(o.columns, 1)}, 0.0 AS out_score
         FROM range(${s}, ${e}) t(i)) TO '${file}.partial' (FORMAT parquet)`,
      );
      renameSync(`${file}.partial`, file);
      if (seq % 100 === 0)
        process.stderr.write(`\r  generating current window: ${e.toLocaleString('en')} rows`);
    }
    process.stderr.write('\n');
    await conn.run(`COPY (SELECT 1) TO '${join(dir, 'complete')}' (FORMAT csv)`);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  console.log(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${dir}`);
  return { reference, log };
}

interface Measured {
  seconds: number;
  peakRssMiB: number;
  report: DriftReport;
}

/** Runs `node bin/slipway.js ARGS` under GNU time (or /proc polling), returning wall, peak RSS, stdout. */
function measure(args: string[]): Promise<Measured> {
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'slipway-report-bench-'));
  const timeFile = join(scratch, 'time');
  const argv = ['bin/slipway.js', ...args, '--home', join(scratch, 'home')];
  const [cmd, cmdArgs] = timeBin
    ? [timeBin, ['-f', '%e %M', '-o', timeFile, process.execPath, ...argv]]
    : [process.execPath, argv];
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let hwm = 0;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const poll = timeBin
      ? undefined
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) hwm = Math.max(hwm, Number(m[1]));
          } catch {
            // exited between polls
          }
        }, 50);
    child.on('exit', (code) => {
      if (poll) clearInterval(poll);
      const seconds = (performance.now() - t0) / 1000;
      try {
        if (code !== 0) throw new Error(`slipway monitor report exited ${code}`);
        if (timeBin) hwm = Number(readFileSync(timeFile, 'utf8').trim().split(/\s+/).pop());
        done({ seconds, peakRssMiB: hwm / 1024, report: JSON.parse(out) as DriftReport });
      } catch (err) {
        fail(err);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  });
}

/** Columns whose verdict is the planted one (odd columns drift). */
function planted(report: DriftReport): number {
  return report.columns.filter((c) => {
    const shifted = Number(c.column.replace('in_f', '')) % 2 === 1;
    return c.drifted === shifted;
  }).length;
}

export async function run(args: string[]): Promise<void> {
  const o = parse(args);
  console.log(
    `report: ${o.rows.toLocaleString('en')} current rows × ${o.columns} numeric columns ` +
      `(segments of ${o.segmentRows.toLocaleString('en')}) vs a ${o.referenceRows.toLocaleString('en')}-row reference`,
  );
  const data = await ensureData(o);
  const common = ['monitor', 'report', '--model', `${MODEL}/${VERSION}`, '--from', FROM, '--to', TO];
  const io = ['--inference-log', data.log, '--reference', data.reference, '--json'];
  const runs: Array<{ name: string; m: Measured }> = [];
  runs.push({ name: 'slipway monitor report (every row, binned)', m: await measure([...common, ...io]) });
  if (o.sample)
    runs.push({
      name: 'previous path: --large-method sample (200k rows/side)',
      m: await measure([...common, ...io, '--large-method', 'sample']),
    });
  const rows: Row[] = runs.map(({ name, m }) => ({
    path: name,
    seconds: m.seconds.toFixed(1),
    'peak RSS MiB': m.peakRssMiB.toFixed(0),
    method: m.report.method,
    'rows read (cur)': m.report.rows.current.used.toLocaleString('en'),
    drifted: `${m.report.datasetDrift.driftedColumns}/${m.report.datasetDrift.testedColumns}`,
    'as planted': `${planted(m.report)}/${m.report.columns.length}`,
  }));
  printTable(rows);
  const main = runs[0]!.m;
  const widest = Math.max(...main.report.columns.map((c) => (c.bounds ? c.bounds[1] - c.bounds[0] : 0)));
  const uncertain = main.report.columns.filter(
    (c) => c.bounds && c.bounds[0] < c.threshold && c.bounds[1] >= c.threshold,
  );
  const fullSize = o.rows >= 10_000_000 && o.columns >= 100 && o.referenceRows >= 1_000_000;
  console.log(
    `target${fullSize ? '' : ' (issue size is 10M × 100 vs 1M; this run is smaller)'}: ≤ ${TARGET_SECONDS} s → ${main.seconds.toFixed(1)} s ` +
      `(${main.seconds <= TARGET_SECONDS ? 'met' : 'MISSED'}), peak RSS ≤ ${TARGET_RSS_MIB} MiB → ${main.peakRssMiB.toFixed(0)} MiB ` +
      `(${main.peakRssMiB <= TARGET_RSS_MIB ? 'met' : 'MISSED'})`,
  );
  console.log(
    `binned scores: widest bound ${widest.toExponential(2)}, verdicts the bound leaves open: ${uncertain.length}`,
  );
  const result = {
    options: o,
    runs: runs.map(({ name, m }) => ({
      name,
      seconds: m.seconds,
      peakRssMiB: m.peakRssMiB,
      method: m.report.method,
      rows: m.report.rows,
      datasetDrift: m.report.datasetDrift,
      asPlanted: planted(m.report),
    })),
    targets: { seconds: TARGET_SECONDS, peakRssMiB: TARGET_RSS_MIB, fullSize },
    widestBound: widest,
    openVerdicts: uncertain.length,
  };
  console.log(`results: ${writeResults('monitoring-report', result)}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run(process.argv.slice(2));
}
