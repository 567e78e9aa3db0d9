/**
 * Materialization speed: `entities × events` source rows (5 features) in Parquet, materialized to
 * SQLite and to Redis, each in its own process (peak RSS is that process's), beside the floor:
 * DuckDB's latest-row-per-entity query alone, streamed and discarded. Issue target: 10M rows ≤ 60 s
 * to each store, memory bounded. Materialization runs under its default DuckDB memory limit, or
 * under `SLIPWAY_BENCH_MEMORY_LIMIT` (`128MiB`, `2GB`…) when set; each result also holds the RSS
 * and V8 heap sampled while batches streamed to the store.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { Redis } from 'ioredis';

const exec = promisify(execFile);

export interface MaterializeResult {
  kind: string;
  seconds: number;
  rowsRead: number;
  rowsWritten: number;
  rowsRefused: number;
  peakRssMiB: number;
}

/** Writes the source: `entities × events` rows, event time increasing with the event number. */
async function writeSource(path: string, entities: number, events: number): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`COPY (
    SELECT i % ${entities} AS driver_id,
           ((i * 7919) % 1000) / 1000.0 AS conv_rate,
           ((i * 104729) % 1000) / 1000.0 AS acc_rate,
           ((i * 31) % 5000) / 100.0 AS avg_fare,
           (i % 97)::BIGINT AS trips,
           ['gold', 'silver', 'bronze'][(i % 3) + 1] AS tier,
           TIMESTAMP '2026-01-01' + INTERVAL (i // ${entities}) MINUTE AS event_timestamp
    FROM range(${entities * events}) t(i)) TO '${path}' (FORMAT parquet)`);
  conn.closeSync();
  db.closeSync();
}

async function redisKeysDeleted(): Promise<number> {
  const redis = new Redis('redis://127.0.0.1:6379');
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'slipway:bench-materialize:*', 'COUNT', 5000);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Runs the three measurements; Redis is skipped when `withRedis` is false. */
export async function runMaterialize(
  dir: string,
  entities: number,
  events: number,
  withRedis: boolean,
  log: (s: string) => void,
): Promise<MaterializeResult[]> {
  mkdirSync(dir, { recursive: true });
  const parquet = join(dir, 'source.parquet');
  log(`materialize: writing ${(entities * events).toLocaleString()} source rows`);
  await writeSource(parquet, entities, events);
  const worker = async (kind: string) => {
    log(`materialize: ${kind}`);
    const { stdout } = await exec(
      process.execPath,
      ['--import', 'tsx', 'bench/features/materialize-worker.ts', kind, parquet, dir],
      { maxBuffer: 1 << 20 },
    );
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as MaterializeResult;
  };
  const results = [await worker('read-only'), await worker('sqlite')];
  if (withRedis) {
    await redisKeysDeleted();
    try {
      results.push(await worker('redis'));
    } finally {
      log(`redis: deleted ${await redisKeysDeleted()} keys`);
    }
  }
  return results;
}
