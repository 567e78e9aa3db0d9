/** The shared feature-registry suite over SQLite (a temporary file) and PostgreSQL (a throwaway database). */
import { type SqlBackend, sqlBackends } from '../../../test/helpers/sql-backends.js';
import {
  describeFeatureRegistry,
  type FeatureRegistryFixture,
} from '../../features/feature-registry.suite.js';
import { openSqlDatabase, type SqlDatabase } from './connect.js';
import { SqlFeatureRegistryStore } from './feature-registry-store.js';

/**
 * Stores over `backend`; every connection opened is closed before it is disposed. Only PostgreSQL gets
 * `connect` (see FeatureRegistryFixture); concurrent SQLite writers are separate processes.
 */
async function fixtureOver(
  backend: SqlBackend,
  concurrentConnections: boolean,
): Promise<FeatureRegistryFixture> {
  const { uri, dispose } = backend;
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

for (const [name, make] of sqlBackends('features')) {
  describeFeatureRegistry(name, async () => fixtureOver(await make(), name === 'PostgreSQL'));
}
