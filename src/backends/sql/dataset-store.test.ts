/** The shared dataset-registry suite over SQLite (a temporary file) and PostgreSQL (a throwaway database). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempPostgresDatabase } from '../../../test/helpers/postgres.js';
import { describeDatasetRegistry } from '../../datasets/dataset-registry.suite.js';
import { openSqlDatabase } from './connect.js';
import { SqlDatasetStore } from './dataset-store.js';

async function fixtureOver(uri: string, dispose: () => Promise<void>) {
  const sql = await openSqlDatabase(uri).catch(async (err) => {
    await dispose();
    throw err;
  });
  return {
    store: new SqlDatasetStore(sql),
    cleanup: async () => {
      await sql.close();
      await dispose();
    },
  };
}

describeDatasetRegistry('SQLite', async () => {
  const home = await mkdtemp(join(tmpdir(), 'slipway-datasets-'));
  return fixtureOver(`sqlite:///${join(home, 'slipway.db')}`, () =>
    rm(home, { recursive: true, force: true }),
  );
});

describeDatasetRegistry('PostgreSQL', async () => {
  const database = await createTempPostgresDatabase();
  return fixtureOver(database.uri, () => database.drop());
});
