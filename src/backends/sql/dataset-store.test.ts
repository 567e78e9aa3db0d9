/** The shared dataset-registry suite over SQLite (a temporary file) and PostgreSQL (a throwaway database). */
import { sqlBackends, sqlFixture } from '../../../test/helpers/sql-backends.js';
import { describeDatasetRegistry } from '../../datasets/dataset-registry.suite.js';
import { SqlDatasetStore } from './dataset-store.js';

for (const [name, make] of sqlBackends('datasets')) {
  describeDatasetRegistry(name, async () =>
    sqlFixture(await make(), (sql) => ({ store: new SqlDatasetStore(sql) })),
  );
}
