/** The shared online-store suite over SQLite (the embedded default), plus what is SQLite's own. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlineStoreSuite } from '../../features/online-store.suite.js';
import { defaultOnlineDbPath, SqliteOnlineStore } from './sqlite-online-store.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-online-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

onlineStoreSuite('SQLite', async () => {
  const store = new SqliteOnlineStore({ path: defaultOnlineDbPath(home) });
  await store.init();
  return store;
});

describe('SQLite online store', () => {
  it('keeps its rows in <home>/online.db in WAL mode', async () => {
    const store = new SqliteOnlineStore({ path: defaultOnlineDbPath(join(home, 'nested')) });
    await store.init();
    await store.write('v', [{ entityKey: 'k=1', values: { a: 1 }, eventTimestamp: 1 }]);
    await store.close();
    const db = new SQLite(join(home, 'nested', 'online.db'), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT count(*) FROM online_features').pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  });

  it('writes a batch larger than one transaction and counts every row', async () => {
    const store = new SqliteOnlineStore({ path: ':memory:', rowsPerTransaction: 3 });
    await store.init();
    const rows = Array.from({ length: 10 }, (_, i) => ({
      entityKey: `k=${i}`,
      values: { i },
      eventTimestamp: i,
    }));
    expect(await store.write('v', rows)).toBe(10);
    expect(await store.write('v', rows)).toBe(0);
    await store.close();
  });

  it('says init() was not called when used before it', async () => {
    const store = new SqliteOnlineStore({ path: ':memory:' });
    await expect(store.read('v', ['k=1'], ['a'])).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
