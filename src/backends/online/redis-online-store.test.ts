/**
 * The shared online-store suite over Redis (127.0.0.1:6379 on development and CI machines), under a
 * key prefix of its own that is removed afterwards, plus what is Redis's own.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { onlineStoreSuite } from '../../features/online-store.suite.js';
import { RedisOnlineStore } from './redis-online-store.js';

const url = 'redis://127.0.0.1:6379';
const prefix = `test-${randomUUID().slice(0, 8)}`;

async function keysUnder(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

afterAll(async () => {
  const redis = new Redis(url);
  try {
    const keys = await keysUnder(redis, `slipway:${prefix}:*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.unlink(...keys.slice(i, i + 1000));
  } finally {
    await redis.quit();
  }
});

onlineStoreSuite('Redis', async () => {
  const store = new RedisOnlineStore({ url, prefix });
  await store.init();
  return store;
});

describe('Redis online store', () => {
  it('keeps one hash per entity key: the values as one JSON object, the timestamps beside them', async () => {
    const store = new RedisOnlineStore({ url, prefix });
    await store.init();
    const redis = new Redis(url);
    try {
      await store.write('driver_hourly', [
        {
          entityKey: 'driver_id=1001',
          values: { trips: 3, active: true, city: '1' },
          eventTimestamp: 5,
          createdTimestamp: 6,
        },
      ]);
      expect(await redis.hgetall(`slipway:${prefix}:driver_hourly:driver_id=1001`)).toEqual({
        _v: '{"trips":3,"active":true,"city":"1"}',
        _ts: '5',
        _cts: '6',
      });
    } finally {
      await redis.quit();
      await store.close();
    }
  });

  it('loads its scripts again when Redis has forgotten them', async () => {
    const store = new RedisOnlineStore({ url, prefix, rowsPerPipeline: 2 });
    await store.init();
    const redis = new Redis(url);
    try {
      const rows = Array.from({ length: 5 }, (_, i) => ({
        entityKey: `k=${i}`,
        values: { i },
        eventTimestamp: 1,
      }));
      await redis.script('FLUSH');
      expect(await store.write('flushed', rows)).toBe(5);
      await redis.script('FLUSH');
      const found = await store.read(
        'flushed',
        rows.map((r) => r.entityKey),
        ['i'],
      );
      expect(found.map((r) => r?.values.i)).toEqual([0, 1, 2, 3, 4]);
      await redis.script('FLUSH');
      expect(await store.write('flushed', rows)).toBe(0);
    } finally {
      await redis.quit();
      await store.close();
    }
  });

  it('reports an unreachable Redis as temporarily unavailable', async () => {
    const store = new RedisOnlineStore({ url: 'redis://:secret@127.0.0.1:1', prefix });
    const err = await store.init().catch((e: unknown) => e as Error & { code?: string });
    expect(err).toMatchObject({ code: 'TEMPORARILY_UNAVAILABLE' });
    expect(err?.message).toMatch(/127\.0\.0\.1:1 is not reachable: .*ECONNREFUSED/);
    expect(err?.message).not.toMatch(/secret/);
  });

  it('rejects a key prefix that could read as another prefix and a view', () => {
    expect(() => new RedisOnlineStore({ prefix: 'a:b' })).toThrow(/Invalid value for 'prefix'/);
    expect(() => new RedisOnlineStore({ url: 'http://localhost' })).toThrow(/Invalid value for 'url'/);
  });
});
