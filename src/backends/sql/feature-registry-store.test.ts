/** The shared feature-registry suite over SQLite (a temporary file) and PostgreSQL (a throwaway database). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempPostgresDatabase } from '../../../test/helpers/postgres.js';
import {
  describeFeatureRegistry,
  type FeatureRegistryFixture,
} from '../../features/feature-registry.suite.js';
import { openSqlDatabase, type SqlDatabase } from './connect.js';
import { SqlFeatureRegistryStore } from './feature-registry-store.js';

/**
 * Stores over `uri`; every connection opened is closed before `dispose` runs. Only PostgreSQL gets
 * `connect` (see FeatureRegistryFixture); concurrent SQLite writers are separate processes.
 */
async function fixtureOver(
  uri: string,
  dispose: () => Promise<void>,
  concurrentConnections: boolean,
): Promise<FeatureRegistryFixture> {
  const open: SqlDatabase[] = [];
  const connect = async () => {
    const sql = await openSqlDatabase(uri);
    open.push(sql);
    return new SqlFeatureRegistryStore(sql);
  };
  try {
    return {
      store: await connect(),
      ...(concurrentConnections ? { connect } : {}),
      cleanup: async () => {
        for (const sql of open) await sql.close();
        await dispose();
      },
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

describeFeatureRegistry('SQLite', async () => {
  const home = await mkdtemp(join(tmpdir(), 'slipway-features-'));
  return fixtureOver(
    `sqlite:///${join(home, 'slipway.db')}`,
    () => rm(home, { recursive: true, force: true }),
    false,
  );
});

describeFeatureRegistry('PostgreSQL', async () => {
  const database = await createTempPostgresDatabase();
  return fixtureOver(database.uri, () => database.drop(), true);
});
