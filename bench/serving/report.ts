/** The serving benchmark's output: the measurements table, the ratio table and the notes. */
import type { LoadResult } from '../lib/load.js';
import { printTable } from '../lib/report.js';
import { fmtMs } from '../lib/stats.js';
import type { Measurement, Ratio } from './ratios.js';
import { SCENARIOS, type ServerName } from './scenarios.js';

export interface Detailed extends Measurement {
  server: ServerName | 'raw';
  load?: LoadResult;
  /** Highest 1-minute load average just before a run: other work on the machine skews the numbers. */
  load1?: number;
  /** Every round's figures (the row shows their medians). */
  rounds?: Array<{ reqPerSec: number; p50: number; p99: number }>;
}

export function errorsOf(m: Detailed): string {
  if (m.failed) return `FAILED: ${m.failed}`;
  if (!m.load) return '—';
  const { errors, timeouts, non2xx, statusCodes } = m.load;
  if (errors + timeouts + non2xx === 0) return '0';
  const codes = Object.entries(statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, n]) => `${code}×${n}`)
    .join(' ');
  return `errors ${errors}, timeouts ${timeouts}, non-2xx ${non2xx}${codes ? ` (${codes})` : ''}`;
}

const num = (n: number) => Math.round(n).toLocaleString('en');

export function printServingReport(measurements: Detailed[], ratios: Ratio[], notes: string[]): void {
  printTable(
    SCENARIOS.flatMap((s) =>
      measurements
        .filter((m) => m.scenario === s.id)
        .map((m) => ({
          scenario: s.title,
          'server, body': m.label,
          'conns (raw: clients)': m.concurrency,
          'req/s': m.result ? num(m.result.reqPerSec) : '—',
          'rows/s': m.result ? num(m.result.rowsPerSec) : '—',
          p50: m.result ? fmtMs(m.result.p50) : '—',
          p99: m.result ? fmtMs(m.result.p99) : '—',
          'errors / non-2xx': errorsOf(m),
        })),
    ),
  );
  console.log('');
  printTable(
    ratios.map((r) => ({
      ratio: r.name,
      measured: r.shown,
      target: r.target,
      '': r.pass === undefined ? '' : r.pass ? '✓' : '✗',
    })),
  );
  console.log('');
  for (const n of notes) console.log(n);
  const loads = measurements.flatMap((m) => (m.load1 === undefined ? [] : [m.load1]));
  if (loads.length) {
    console.log(
      `1-min load average before each run: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} ` +
        '(this benchmark alone keeps it near 2; more means other work shared the cores)',
    );
  }
  for (const m of measurements) {
    const bad = m.failed || (m.load && m.load.errors + m.load.timeouts + m.load.non2xx > 0);
    if (bad) console.log(`WARNING: ${m.label}, ${m.scenario}: ${errorsOf(m)}`);
  }
}
