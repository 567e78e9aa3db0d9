import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openSearchDatabase, type SearchDatabase } from './search/search-databases.suite.js';
import { StatisticsRefresher } from './statistics.js';

/** When the engine last analyzed `runs`: SQLite keeps stats in sqlite_stat1, PostgreSQL in pg_stat. */
async function analyzedRuns(d: SearchDatabase): Promise<boolean> {
  if (d.dialect === 'postgres') {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_user_tables
      where relname = 'runs' and schemaname = current_schema() and last_analyze is not null`.execute(d.db);
    return rows[0].n > 0;
  }
  const { rows } = await sql<{ n: number }>`select count(*) as n from sqlite_master
    where name = 'sqlite_stat1'`.execute(d.db);
  if (rows[0].n === 0) return false;
  const stat = await sql<{ n: number }>`select count(*) as n from sqlite_stat1 where tbl = 'runs'`.execute(
    d.db,
  );
  return stat.rows[0].n > 0;
}

describe.each(ENGINES)('planner statistics on %s', (engine) => {
  let d: SearchDatabase;

  beforeAll(async () => {
    d = await openSearchDatabase(engine);
    const runs = Array.from({ length: 200 }, (_, i) => ({
      run_id: `run${String(i).padStart(29, '0')}`,
      experiment_id: 0,
      run_name: `r${i}`,
      user_id: 'u',
      status: 'FINISHED',
      start_time: i,
      end_time: null,
      deleted_time: null,
      artifact_uri: 'x',
      lifecycle_stage: 'active',
    }));
    await d.db.insertInto('runs').values(runs).execute();
  });

  afterAll(async () => {
    await d?.close();
  });

  it('are left alone while few rows have been written', async () => {
    const refresher = new StatisticsRefresher(d.db, d.dialect, 1000, 0);
    refresher.noteWrites(999);
    await refresher.settle();
    expect(await analyzedRuns(d)).toBe(false);
  });

  it('are refreshed in the background once enough rows have been written (PostgreSQL only)', async () => {
    const refresher = new StatisticsRefresher(d.db, d.dialect, 1000, 0);
    refresher.noteWrites(600);
    refresher.noteWrites(600);
    await refresher.settle();
    // SQLite plans these searches best without statistics, so it is never analyzed.
    expect(await analyzedRuns(d)).toBe(engine === 'postgres');
  });
});
