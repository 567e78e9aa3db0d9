/**
 * `npm run bench -- features [--quick] [--rows N] [--only pit|materialize]`: the feature store, side by side
 * in one run —
 *   1. Point-in-time join (training sets): Slipway `getHistoricalFeatures` vs a raw DuckDB ASOF LEFT
 *      JOIN of the same Parquet files (the floor, with and without restoring entity order) vs pandas
 *      `merge_asof` over CSV copies. Default 2M entity rows × 2 views of 600k rows (`--quick`: 200k /
 *      60k); the issue's full size is 10M × 3M (`--rows 10000000`, feature rows scale with it).
 *   2. Online reads over HTTP: `slipway server --features` on SQLite and on Redis, autocannon on
 *      POST /get-online-features (1 and 100 entities × 50 features, 32 connections, then 1), plus in-process
 *      store reads for comparison.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMaterialize } from './features/materialize.js';
import {
  cleanRedis,
  type InProcess,
  inProcessRedis,
  inProcessSqlite,
  N_DRIVERS,
  N_FEATURES,
  type OnlineHttp,
  redisUp,
  runOnlineHttp,
  writeDefinitions,
} from './features/online.js';
import { type PitResult, runPit, sameCheck } from './features/pit.js';
import { printTable, type Row, writeResults } from './lib/report.js';

const log = (s: string) => process.stderr.write(`  ${s}\n`);
const f2 = (n: number | null | undefined, d = 2) => (n === null || n === undefined ? 'n/a' : n.toFixed(d));

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const only = value('--only');
  if (only === 'materialize') return runMaterializeOnly(value);
  if (only !== undefined && only !== 'pit') throw new Error("--only takes 'pit' or 'materialize'");
  const nE = Number(value('--rows') ?? (quick ? 200_000 : 2_000_000));
  if (!(Number.isInteger(nE) && nE > 0)) throw new Error('--rows takes a positive integer');
  const nF = Math.round(nE * 0.3);
  const duration = quick ? 2 : 5;
  const warmup = 1;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-features-'));
  console.log(
    `features bench: ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, node ${process.version}; ` +
      `PIT ${nE.toLocaleString()} entity rows × 2 views × ${nF.toLocaleString()} rows (issue full size: 10M × 3M)`,
  );
  try {
    // 1. Point-in-time join.
    const pit = await runPit(join(dir, 'pit'), nE, nF, log);
    const byName = (prefix: string) => pit.find((r) => r.name.startsWith(prefix));
    const slip = byName('slipway getHistoricalFeatures');
    const raw = byName('raw duckdb ASOF + ORDER BY');
    const pandas = byName('pandas');
    const pitRows: Row[] = pit.map((r: PitResult) => ({
      'point-in-time join': r.name,
      seconds: f2(r.seconds),
      'rows/s': r.seconds ? Math.round((r.check?.rows ?? 0) / r.seconds).toLocaleString() : 'n/a',
      rows: r.check?.rows ?? 'n/a',
      'a0 non-null': r.check?.countA0 ?? 'n/a',
      'sum(a0)': r.check ? r.check.sumA0.toFixed(3) : 'n/a',
      'equal to slipway':
        r === slip ? '—' : r.check ? String(sameCheck(r.check, slip?.check ?? null)) : (r.note ?? 'n/a'),
    }));
    console.log('');
    printTable(pitRows);
    const slipOverRaw = slip?.seconds && raw?.seconds ? slip.seconds / raw.seconds : null;
    const pandasOverSlip = slip?.seconds && pandas?.seconds ? pandas.seconds / slip.seconds : null;
    console.log(
      `\nslipway / raw duckdb (ordered): ${f2(slipOverRaw)}× (target ≤ 1.3)   ` +
        `pandas / slipway: ${pandas?.seconds ? `${f2(pandasOverSlip)}×` : `n/a (${pandas?.note ?? 'pandas missing'})`} (target ≥ 4)`,
    );

    if (only === 'pit') {
      console.log(
        `\nwrote ${writeResults('features-pit', { options: { entityRows: nE, featureRowsPerView: nF }, pit })}`,
      );
      return;
    }
    // 2. Online reads.
    const home = (name: string) => join(dir, `home-${name}`);
    const defs = writeDefinitions(dir);
    const http: OnlineHttp[] = [];
    const inproc: InProcess[] = [];
    http.push(...(await runOnlineHttp(home('sqlite'), defs, 'sqlite', duration, warmup, log)));
    inproc.push(...(await inProcessSqlite(join(home('sqlite'), 'online.db'))));
    let redisNote = '';
    if (await redisUp()) {
      try {
        http.push(...(await runOnlineHttp(home('redis'), defs, 'redis', duration, warmup, log)));
        inproc.push(...(await inProcessRedis()));
      } finally {
        log(`redis: deleted ${await cleanRedis()} keys`);
      }
    } else redisNote = 'redis not reachable at 127.0.0.1:6379: skipped';
    console.log('');
    printTable(
      http.map((h) => ({
        'online HTTP (POST /get-online-features)': `${h.store}, ${h.entities} entit${h.entities === 1 ? 'y' : 'ies'} × ${N_FEATURES}`,
        conns: h.connections,
        'req/s': Math.round(h.load.reqPerSec).toLocaleString(),
        'p50 ms': f2(h.load.p50, 3),
        'p99 ms': f2(h.load.p99, 3),
        target: h.connections !== 32 ? '—' : h.entities === 1 ? 'p99 ≤ 1 ms' : 'p99 ≤ 3 ms',
        met: h.connections !== 32 ? '—' : String(h.load.p99 <= (h.entities === 1 ? 1 : 3)),
        'non2xx/err': `${h.load.non2xx}/${h.load.errors}`,
        'null share': f2(h.nullShare, 3),
      })),
    );
    console.log(
      `(targets are for 32 connections; ${duration} s measured after ${warmup} s warmup, ${N_DRIVERS} drivers)`,
    );
    if (redisNote) console.log(redisNote);
    console.log('');
    printTable(
      inproc.map((r) => ({
        'in-process store.read (2,000 reads)': `${r.store}, ${r.keys} key${r.keys === 1 ? '' : 's'} × ${N_FEATURES}`,
        'p50 ms': f2(r.p50, 3),
        'p99 ms': f2(r.p99, 3),
      })),
    );
    const file = writeResults('features', {
      options: { quick, entityRows: nE, featureRowsPerView: nF, duration, warmup, connections: 32 },
      machine: { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version },
      pit,
      ratios: { slipwayOverRawDuckdb: slipOverRaw, pandasOverSlipway: pandasOverSlip },
      onlineHttp: http,
      inProcess: inproc,
    });
    console.log(`\nwrote ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `--only materialize`: the materialization table (seconds, rows/s, peak RSS per store). */
async function runMaterializeOnly(value: (flag: string) => string | undefined): Promise<void> {
  const sourceRows = Number(value('--source-rows') ?? 10_000_000);
  const events = Number(value('--events') ?? 10);
  if (!(Number.isInteger(sourceRows) && Number.isInteger(events) && events > 0 && sourceRows >= events))
    throw new Error('--source-rows and --events take positive integers, source rows ≥ events');
  const entities = Math.floor(sourceRows / events);
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-materialize-'));
  console.log(
    `features bench (materialize): ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, node ${process.version}; ` +
      `${(entities * events).toLocaleString()} source rows = ${entities.toLocaleString()} entities × ${events} events, 5 features`,
  );
  try {
    const withRedis = await redisUp();
    const results = await runMaterialize(dir, entities, events, withRedis, log);
    console.log('');
    printTable(
      results.map((r) => ({
        materialize: r.kind === 'read-only' ? 'duckdb latest-per-entity only (floor)' : `to ${r.kind}`,
        seconds: f2(r.seconds),
        'source rows/s': Math.round((entities * events) / r.seconds).toLocaleString(),
        'entity rows read': r.rowsRead.toLocaleString(),
        written: r.rowsWritten.toLocaleString(),
        'peak RSS MiB': Math.round(r.peakRssMiB),
        target: r.kind === 'read-only' ? '—' : '≤ 60 s at 10M',
        met: r.kind === 'read-only' ? '—' : String(r.seconds <= 60 * ((entities * events) / 10_000_000)),
      })),
    );
    if (!withRedis) console.log('redis not reachable at 127.0.0.1:6379: skipped');
    const file = writeResults('features-materialize', {
      options: { sourceRows: entities * events, entities, events },
      machine: { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version },
      materialize: results,
    });
    console.log(`\nwrote ${file}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
