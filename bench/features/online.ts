/**
 * Online reads: `slipway server --features` (SQLite, then Redis) under autocannon, POST
 * /get-online-features for 1 and 100 entities × 50 features; plus in-process store reads.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisOnlineStore } from '../../src/backends/online/redis-online-store.js';
import { SqliteOnlineStore } from '../../src/backends/online/sqlite-online-store.js';
import { entityKeyOf } from '../../src/features/entity-key.js';
import type { OnlineStore } from '../../src/features/types.js';
import { startChildServer } from '../lib/child-process.js';
import { type LoadResult, measureLoad } from '../lib/load.js';
import { freePort } from '../lib/server-process.js';

export const N_FEATURES = 50;
export const N_DRIVERS = 10_000;
const REDIS_URL = 'redis://127.0.0.1:6379';
const FEATURES = Array.from({ length: N_FEATURES }, (_, i) => `f${i}`);

export interface OnlineHttp {
  store: string;
  entities: number;
  connections: number;
  load: LoadResult;
  nullShare: number;
}
export interface InProcess {
  store: string;
  keys: number;
  p50: number;
  p99: number;
}

export function writeDefinitions(dir: string): string {
  const file = join(dir, 'defs.yaml');
  const schema = FEATURES.map((f) => `      - { name: ${f}, type: float64 }`).join('\n');
  writeFileSync(
    file,
    `project: bench
entities:
  - name: driver
    join_key: driver_id
    value_type: Int64
sources:
  - name: stats_src
    kind: file
    path: ./stats.parquet
    timestamp_field: event_timestamp
feature_views:
  - name: stats
    entities: [driver]
    source: stats_src
    ttl: 0
    schema:
${schema}
`,
  );
  return file;
}

async function fill(base: string): Promise<void> {
  const batch = 1000;
  const ts = new Date('2024-06-01T00:00:00Z').toISOString();
  for (let start = 0; start < N_DRIVERS; start += batch) {
    const ids = Array.from({ length: batch }, (_, i) => start + i);
    const df: Record<string, unknown[]> = { driver_id: ids, event_timestamp: ids.map(() => ts) };
    for (const [j, f] of FEATURES.entries()) df[f] = ids.map((id) => (id * 31 + j) / 1000);
    const r = await fetch(`${base}/write-to-online-store`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ feature_view_name: 'stats', df }),
    });
    if (!r.ok) throw new Error(`write-to-online-store ${r.status}: ${await r.text()}`);
  }
}

function body(keys: number[]): string {
  return JSON.stringify({ features: FEATURES.map((f) => `stats:${f}`), entities: { driver_id: keys } });
}

/** Share of null values in one probe response (0 means every feature came back). */
async function probe(base: string, keys: number[]): Promise<number> {
  const r = await fetch(`${base}/get-online-features`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body(keys),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`get-online-features ${r.status}: ${text}`);
  const j = JSON.parse(text) as { results: Array<{ values: unknown[] }> };
  let nulls = 0;
  let total = 0;
  for (const res of j.results.slice(1))
    for (const v of res.values) {
      total++;
      if (v === null) nulls++;
    }
  return total ? nulls / total : 1;
}

export async function runOnlineHttp(
  home: string,
  defs: string,
  store: 'sqlite' | 'redis',
  duration: number,
  warmup: number,
  log: (s: string) => void,
): Promise<OnlineHttp[]> {
  const port = await freePort();
  const args = ['bin/slipway.js', 'server', '--port', String(port), '--home', home, '--features', defs];
  if (store === 'redis') args.push('--online-store', REDIS_URL);
  const server = await startChildServer({ args, port, readyPath: '/healthz' });
  const base = `http://127.0.0.1:${port}`;
  const out: OnlineHttp[] = [];
  try {
    log(`${store}: filling ${N_DRIVERS} drivers × ${N_FEATURES} features…`);
    await fill(base);
    for (const n of [1, 100]) {
      const keys = Array.from({ length: n }, (_, i) => (i * 97 + 13) % N_DRIVERS);
      const nullShare = await probe(base, keys);
      // 32 clients (the load), then one client alone: the latency of a read without queueing.
      for (const connections of [32, 1]) {
        log(`${store}: autocannon ${n} entit${n === 1 ? 'y' : 'ies'}, ${connections} connection(s)…`);
        const load = await measureLoad({
          url: `${base}/get-online-features`,
          connections,
          duration,
          warmup,
          headers: { 'content-type': 'application/json' },
          body: body(keys),
          rows: n,
        });
        out.push({ store, entities: n, connections, load, nullShare });
      }
    }
  } finally {
    await server.stop();
  }
  return out;
}

async function readLoop(store: OnlineStore, name: string, reads: number): Promise<InProcess[]> {
  const out: InProcess[] = [];
  for (const n of [1, 100]) {
    const sets = Array.from({ length: 64 }, (_, s) =>
      Array.from({ length: n }, (_, i) =>
        entityKeyOf(['driver_id'], { driver_id: (s * 1009 + i * 97) % N_DRIVERS }),
      ),
    );
    const first = await store.read('stats', sets[0], FEATURES);
    if (first.some((r) => r === undefined)) throw new Error(`${name}: in-process read found missing rows`);
    for (let i = 0; i < 200; i++) await store.read('stats', sets[i % 64], FEATURES);
    const t = new Float64Array(reads);
    for (let i = 0; i < reads; i++) {
      const s = performance.now();
      await store.read('stats', sets[i % 64], FEATURES);
      t[i] = performance.now() - s;
    }
    t.sort();
    out.push({ store: name, keys: n, p50: t[Math.floor(reads * 0.5)], p99: t[Math.floor(reads * 0.99)] });
  }
  return out;
}

export async function inProcessSqlite(path: string): Promise<InProcess[]> {
  const store = new SqliteOnlineStore({ path });
  await store.init();
  try {
    return await readLoop(store, 'sqlite', 2000);
  } finally {
    await store.close();
  }
}

export async function inProcessRedis(): Promise<InProcess[]> {
  const store = new RedisOnlineStore({ url: REDIS_URL });
  await store.init();
  try {
    return await readLoop(store, 'redis', 2000);
  } finally {
    await store.close();
  }
}

/** Deletes the keys the Redis-backed server wrote (prefix 'default', view 'stats'). */
export async function cleanRedis(): Promise<number> {
  const redis = new Redis(REDIS_URL);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'slipway:default:stats:*', 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export async function redisUp(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
