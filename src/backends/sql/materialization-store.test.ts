/** The shared materialization-log suite over SQLite (a temporary file) and PostgreSQL (a throwaway database). */
import { sqlBackends, sqlFixture } from '../../../test/helpers/sql-backends.js';
import { describeMaterializationLog } from '../../features/materialization-log.suite.js';
import { SqlFeatureRegistryStore } from './feature-registry-store.js';
import { SqlMaterializationStore } from './materialization-store.js';

for (const [name, make] of sqlBackends('materializations')) {
  describeMaterializationLog(name, async () =>
    sqlFixture(await make(), (sql) => ({
      store: new SqlMaterializationStore(sql),
      registry: new SqlFeatureRegistryStore(sql),
    })),
  );
}
