/**
 * The metadata-store backends every SQL store suite runs against: a SQLite file in a temp folder and
 * a fresh PostgreSQL database (127.0.0.1:5432), each with a `dispose()` that removes it; and
 * `sqlFixture`, which opens one on a backend for the shared store suites (`describe<Store>(name, open)`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlDatabase, type SqlDatabase } from '../../src/backends/sql/connect.js';
import { createTempPostgresDatabase } from './postgres.js';

export interface SqlBackend {
  uri: string;
  dispose(): Promise<void>;
}

/**
 * `[name, make]` pairs for `describe.each`.
 *
 * @example
 * describe.each(sqlBackends('event-store'))('event store over %s', (_name, make) => { … });
 */
export function sqlBackends(prefix: string): Array<[string, () => Promise<SqlBackend>]> {
  return [
    [
      'SQLite',
      async () => {
        const home = await mkdtemp(join(tmpdir(), `slipway-${prefix}-`));
        return {
          uri: `sqlite:///${join(home, 'slipway.db')}`,
          dispose: () => rm(home, { recursive: true, force: true }),
        };
      },
    ],
    [
      'PostgreSQL',
      async () => {
        const db = await createTempPostgresDatabase();
        return { uri: db.uri, dispose: () => db.drop() };
      },
    ],
  ];
}

/**
 * Opens one connection to `backend` and builds a store-suite fixture on it; the fixture's `cleanup`
 * closes the connection, then disposes the backend (disposed at once if the connection fails).
 *
 * @example
 * for (const [name, make] of sqlBackends('profiles')) {
 *   describeProfileStore(name, async () => sqlFixture(await make(), (sql) => ({ store: new SqlProfileStore(sql) })));
 * }
 */
export async function sqlFixture<F extends object>(
  backend: SqlBackend,
  build: (sql: SqlDatabase) => F,
): Promise<F & { cleanup(): Promise<void> }> {
  const sql = await openSqlDatabase(backend.uri).catch(async (err) => {
    await backend.dispose();
    throw err;
  });
  return {
    ...build(sql),
    cleanup: async () => {
      await sql.close();
      await backend.dispose();
    },
  };
}
