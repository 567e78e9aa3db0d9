/** The shared tracking and registry suites over SQLite (the embedded default): a fresh home per suite. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../core/config.js';
import { openPlatform } from '../../platform.js';
import { describeRegistry } from '../../registry/registry.suite.js';
import { describeRunSearch } from '../../tracking/run-search.suite.js';
import { describeTracking, type PlatformFixture } from '../../tracking/tracking.suite.js';

async function sqlitePlatform(): Promise<PlatformFixture> {
  const home = await mkdtemp(join(tmpdir(), 'slipway-sqlite-'));
  const platform = await openPlatform(resolveConfig({ home }));
  return {
    platform,
    cleanup: async () => {
      await platform.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

describeTracking('SQLite', sqlitePlatform);
describeRunSearch('SQLite', sqlitePlatform);
describeRegistry('SQLite', sqlitePlatform);
