/** The shared materialization-log suite over SQLite (a temporary file) and PostgreSQL (a throwaway database). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempPostgresDatabase } from '../../../test/helpers/postgres.js';
import {
  describeMaterializationLog,
  type MaterializationLogFixture,
} from '../../features/materialization-log.suite.js';
import { openSqlDatabase } from './connect.js';
import { SqlFeatureRegistryStore } from './feature-registry-store.js';
import { SqlMaterializationStore } from './materialization-store.js';

async function fixtureOver(uri: string, dispose: () => Promise<void>): Promise<MaterializationLogFixture> {
  const sql = await openSqlDatabase(uri).catch(async (err) => {
    await dispose();
    throw err;
  });
  return {
    store: new SqlMaterializationStore(sql),
    registry: new SqlFeatureRegistryStore(sql),
    cleanup: async () => {
      await sql.close();
      await dispose();
    },
  };
}

describeMaterializationLog('SQLite', async () => {
  const home = await mkdtemp(join(tmpdir(), 'slipway-materializations-'));
  return fixtureOver(`sqlite:///${join(home, 'slipway.db')}`, () =>
    rm(home, { recursive: true, force: true }),
  );
});

describeMaterializationLog('PostgreSQL', async () => {
  const database = await createTempPostgresDatabase();
  return fixtureOver(database.uri, () => database.drop());
});
