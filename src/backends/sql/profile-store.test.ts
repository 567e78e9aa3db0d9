/** The shared profile-store suite over SQLite (a temporary file) and PostgreSQL (a throwaway database). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempPostgresDatabase } from '../../../test/helpers/postgres.js';
import {
  describeProfileStore,
  type ProfileStoreFixture,
} from '../../monitoring/profiles/profile-store.suite.js';
import { openSqlDatabase } from './connect.js';
import { SqlProfileStore } from './profile-store.js';

async function fixtureOver(uri: string, dispose: () => Promise<void>): Promise<ProfileStoreFixture> {
  const sql = await openSqlDatabase(uri).catch(async (err) => {
    await dispose();
    throw err;
  });
  return {
    store: new SqlProfileStore(sql),
    cleanup: async () => {
      await sql.close();
      await dispose();
    },
  };
}

describeProfileStore('SQLite', async () => {
  const home = await mkdtemp(join(tmpdir(), 'slipway-profiles-'));
  return fixtureOver(`sqlite:///${join(home, 'slipway.db')}`, () =>
    rm(home, { recursive: true, force: true }),
  );
});

describeProfileStore('PostgreSQL', async () => {
  const database = await createTempPostgresDatabase();
  return fixtureOver(database.uri, () => database.drop());
});
