/**
 * The shared tracking and registry suites over PostgreSQL: a fresh database per suite (dropped
 * afterwards), artifacts in a temporary folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempPostgresDatabase } from '../../../test/helpers/postgres.js';
import { resolveConfig } from '../../core/config.js';
import { openPlatform } from '../../platform.js';
import { describeRegistry } from '../../registry/registry.suite.js';
import { describeRunSearch } from '../../tracking/run-search.suite.js';
import { describeTracking, type PlatformFixture } from '../../tracking/tracking.suite.js';

async function postgresPlatform(): Promise<PlatformFixture> {
  const database = await createTempPostgresDatabase();
  const home = await mkdtemp(join(tmpdir(), 'slipway-pg-'));
  try {
    const platform = await openPlatform(resolveConfig({ home, backendStoreUri: database.uri }));
    return {
      platform,
      cleanup: async () => {
        await platform.close();
        await database.drop();
        await rm(home, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await database.drop();
    await rm(home, { recursive: true, force: true });
    throw err;
  }
}

describeTracking('PostgreSQL', postgresPlatform);
describeRunSearch('PostgreSQL', postgresPlatform);
describeRegistry('PostgreSQL', postgresPlatform);
