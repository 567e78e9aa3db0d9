/**
 * One measured materialization in a fresh process (so its peak RSS is its own):
 * `node --import tsx bench/features/materialize-worker.ts <sqlite|redis|read-only> <parquet> <out dir>`.
 * Prints one JSON line: seconds, rows read/written, peak RSS in MiB (the process's, from the kernel)
 * and, while batches stream to the store, the largest RSS and V8 heap sampled after each batch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { RedisOnlineStore } from '../../src/backends/online/redis-online-store.js';
import { SqliteOnlineStore } from '../../src/backends/online/sqlite-online-store.js';
import { materialize } from '../../src/features/materialize.js';
import { catalogOf } from '../../src/features/online-features.js';
import type { FeatureRepo, OnlineStore } from '../../src/features/types.js';

export const VIEW = 'bench_materialize';
export const REDIS_PREFIX = 'bench-materialize';
const [kind, parquet, out] = process.argv.slice(2);

const repo: FeatureRepo = {
  project: 'bench',
  entities: [{ name: 'driver', joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
  sources: [
    { kind: 'file', name: 'src', path: parquet, format: 'parquet', timestampField: 'event_timestamp' },
  ],
  featureViews: [
    {
      name: VIEW,
      entities: ['driver'],
      schema: [
        { name: 'conv_rate', type: 'float64', constraints: { min: 0, max: 1 } },
        { name: 'acc_rate', type: 'float64' },
        { name: 'avg_fare', type: 'float64', constraints: { min: 0 } },
        { name: 'trips', type: 'int64', constraints: { nullable: false } },
        { name: 'tier', type: 'string', constraints: { allowedValues: ['gold', 'silver', 'bronze'] } },
      ],
      source: 'src',
      ttlSeconds: 0,
      online: true,
      offline: true,
    },
  ],
  onDemandFeatureViews: [],
  featureServices: [],
};

const started = performance.now();
const mib = (bytes: number) => bytes / 2 ** 20;
/**
 * Sampled after each written batch: what the streaming phase (JS batches, store writes) holds. On
 * Linux the RSS is split into anonymous memory and mapped file pages (SQLite maps its file: those
 * pages count in RSS but are the page cache's, dropped under pressure).
 */
const streaming = { rssMiB: 0, anonMiB: 0, fileMiB: 0, heapMiB: 0 };
const statusKiB = (status: string, field: string) =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
const sample = () => {
  const m = process.memoryUsage();
  streaming.rssMiB = Math.max(streaming.rssMiB, mib(m.rss));
  streaming.heapMiB = Math.max(streaming.heapMiB, mib(m.heapUsed));
  if (process.platform !== 'linux') return;
  const status = readFileSync('/proc/self/status', 'utf8');
  streaming.anonMiB = Math.max(streaming.anonMiB, statusKiB(status, 'RssAnon') / 1024);
  streaming.fileMiB = Math.max(streaming.fileMiB, statusKiB(status, 'RssFile') / 1024);
};
let result: { rowsRead: number; rowsWritten: number; rowsRefused: number };
if (kind === 'read-only') {
  // The floor: DuckDB's latest-row-per-entity query over the same file, streamed, nothing written.
  // Unlimited: DuckDB runs it as an arg_max aggregate, faster but holding every entity in memory.
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const stream = await conn.stream(`SELECT * FROM read_parquet('${parquet}')
    QUALIFY row_number() OVER (PARTITION BY driver_id ORDER BY event_timestamp DESC) = 1 ORDER BY driver_id`);
  let rows = 0;
  for (;;) {
    const chunk = await stream.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    chunk.getColumns();
    rows += chunk.rowCount;
  }
  result = { rowsRead: rows, rowsWritten: 0, rowsRefused: 0 };
} else {
  const store: OnlineStore =
    kind === 'redis'
      ? new RedisOnlineStore({ prefix: REDIS_PREFIX })
      : new SqliteOnlineStore({ path: join(out, 'online.db') });
  await store.init();
  try {
    [result] = await materialize({
      catalog: catalogOf(repo),
      store,
      start: 0,
      end: Date.UTC(2100, 0, 1),
      memoryLimit: process.env['SLIPWAY_BENCH_MEMORY_LIMIT'] || undefined,
      onProgress: sample,
    });
  } finally {
    await store.close();
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    kind,
    seconds,
    ...result,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    streamingRssMiB: streaming.rssMiB,
    streamingAnonMiB: streaming.anonMiB,
    streamingFileMiB: streaming.fileMiB,
    streamingHeapMiB: streaming.heapMiB,
    memoryLimit: process.env['SLIPWAY_BENCH_MEMORY_LIMIT'] || 'default',
  }),
);
