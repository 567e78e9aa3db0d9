/**
 * A throwaway PostgreSQL database per test file, on the development/CI server
 * (127.0.0.1:5432, user postgres, trust auth). The `test` database is only used to issue
 * CREATE/DROP DATABASE; each suite gets its own database, so migrations run from scratch.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/test';

export interface TempPostgresDatabase {
  /** `postgresql://postgres@127.0.0.1:5432/slipway_t_<random>` */
  uri: string;
  /** Drops the database once its connections are gone (forcing out any still open after 5 s). */
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${ADMIN_URL} (${String(err)}); ` +
        'start it with `pg_ctlcluster $(ls /etc/postgresql) main start`',
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty database with a random name.
 *
 * @example
 * const pgdb = await createTempPostgresDatabase();
 * const platform = await openPlatform(resolveConfig({ home, backendStoreUri: pgdb.uri }));
 * // … then: await platform.close(); await pgdb.drop();
 */
export async function createTempPostgresDatabase(): Promise<TempPostgresDatabase> {
  const name = `slipway_t_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    uri: `postgresql://postgres@127.0.0.1:5432/${name}`,
    drop: async () => {
      await withAdmin(async (c) => {
        // pg's Pool.end() resolves before its sockets have closed; killing those half-closed
        // sessions with FORCE makes their clients raise uncaught errors, so let them go first.
        const deadline = Date.now() + 5_000;
        while (Date.now() < deadline) {
          const { rows } = await c.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
            [name],
          );
          if (rows[0].n === 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}
