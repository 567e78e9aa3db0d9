/**
 * Drift micro-benchmark: the KS test and the normed Wasserstein distance over ROWS × COLUMNS
 * (default 1M reference rows and 1M current rows in each of 20 columns), Slipway's drift module
 * against a scipy loop (ks_2samp + wasserstein_distance / max(np.std(ref), 0.001)) on the same data
 * in the same run, with the results compared (1e-9 relative). Prints a table and the ratio, and
 * writes JSON under bench/results/.
 *
 *   node --import tsx bench/monitoring/drift.ts [--rows 1000000] [--columns 20]
 *
 * Slipway's side starts from the raw columns (missing values removed, both samples sorted once)
 * and times everything to the verdict numbers; scipy's side times only its loop, after loading.
 * Needs /usr/bin/python3 with numpy and scipy for the comparison.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ksTwoSample } from '../../src/monitoring/drift/ks-test.js';
import { numericSample } from '../../src/monitoring/drift/samples.js';
import { normedWassersteinDistance } from '../../src/monitoring/drift/wasserstein.js';
import { printTable, type Row, writeResults } from '../lib/report.js';

const PYTHON = '/usr/bin/python3';

const SCIPY_LOOP = `
import json, sys, time
import numpy as np
from scipy import stats
path, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = np.fromfile(path, dtype='<f8').reshape(2 * cols, rows)
out = []
t0 = time.perf_counter()
for c in range(cols):
    ref, cur = data[2 * c], data[2 * c + 1]
    ks = stats.ks_2samp(ref, cur)
    w = stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
    out.append([float(ks.statistic), float(ks.pvalue), float(w)])
elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": elapsed, "results": out}))
`;

interface Options {
  rows: number;
  columns: number;
}

function parse(args: string[]): Options {
  const opt = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  return { rows: opt('rows', 1_000_000), columns: opt('columns', 20) };
}

/** xorshift-based uniforms: fast, and the data only has to be the same for both sides. */
function makeColumns(rows: number, columns: number): Float64Array[] {
  let s = 0x9e3779b9;
  const u = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const out: Float64Array[] = [];
  for (let c = 0; c < columns; c++) {
    // Alternate families; odd columns drift a little in current.
    const family = c % 4;
    const shift = c % 2 === 1 ? 0.02 * (c + 1) : 0;
    for (const side of [0, 1]) {
      const col = new Float64Array(rows);
      const d = side === 1 ? shift : 0;
      for (let i = 0; i < rows; i++) {
        if (family === 0) col[i] = normal() + d;
        else if (family === 1) col[i] = Math.exp(0.8 * normal() + d);
        else if (family === 2) col[i] = u() + d;
        else col[i] = Math.round(10 * (normal() + d)) / 10; // ties
      }
      out.push(col);
    }
  }
  return out;
}

function relErr(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

export async function run(args: string[]): Promise<void> {
  const { rows, columns } = parse(args);
  console.log(
    `drift: KS + normed Wasserstein, ${rows.toLocaleString('en')} rows × ${columns} columns per side`,
  );
  const data = makeColumns(rows, columns);

  const t0 = performance.now();
  const ours: [number, number, number][] = [];
  for (let c = 0; c < columns; c++) {
    const ref = numericSample(data[2 * c]!).sorted;
    const cur = numericSample(data[2 * c + 1]!).sorted;
    const ks = ksTwoSample(ref, cur);
    ours.push([ks.statistic, ks.pValue, normedWassersteinDistance(ref, cur)]);
  }
  const slipwaySeconds = (performance.now() - t0) / 1000;

  const rowsOut: Row[] = [{ implementation: 'slipway (TypeScript)', seconds: slipwaySeconds.toFixed(2) }];
  const result: Record<string, unknown> = { rows, columns, slipwaySeconds };
  const hasScipy = spawnSync(PYTHON, ['-c', 'import scipy, numpy'], { stdio: 'ignore' }).status === 0;
  if (!hasScipy) {
    console.log(`(scipy side skipped: ${PYTHON} cannot import scipy)`);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-drift-bench-'));
    try {
      const file = join(dir, 'columns.f64');
      const fd = openSync(file, 'w');
      for (const col of data) writeSync(fd, new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
      closeSync(fd);
      const py = spawnSync(PYTHON, ['-c', SCIPY_LOOP, file, String(rows), String(columns)], {
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
      });
      if (py.status !== 0) throw new Error(`scipy loop failed: ${py.stderr}`);
      const scipy = JSON.parse(py.stdout) as { seconds: number; results: [number, number, number][] };
      let maxStat = 0;
      let maxP = 0;
      let maxW = 0;
      scipy.results.forEach(([d, p, w], c) => {
        maxStat = Math.max(maxStat, relErr(ours[c]![0], d));
        if (p >= 1e-300) maxP = Math.max(maxP, relErr(ours[c]![1], p));
        maxW = Math.max(maxW, relErr(ours[c]![2], w));
      });
      const ratio = scipy.seconds / slipwaySeconds;
      rowsOut.push({
        implementation: 'scipy loop (ks_2samp + wasserstein_distance)',
        seconds: scipy.seconds.toFixed(2),
      });
      Object.assign(result, {
        scipySeconds: scipy.seconds,
        ratio,
        maxRelativeError: { statistic: maxStat, pValue: maxP, normedWasserstein: maxW },
      });
      printTable(rowsOut);
      console.log(`ratio (scipy / slipway): ${ratio.toFixed(2)}×`);
      console.log(
        `max relative difference: KS D ${maxStat.toExponential(1)}, p-value ${maxP.toExponential(1)}, normed W ${maxW.toExponential(1)}`,
      );
      console.log(`same results (1e-9): ${Math.max(maxStat, maxP, maxW) <= 1e-9 ? 'yes' : 'NO'}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!hasScipy) printTable(rowsOut);
  console.log(`results: ${writeResults('monitoring-drift', result)}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run(process.argv.slice(2));
}
