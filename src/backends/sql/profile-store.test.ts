/** The shared profile-store suite over SQLite (a temporary file) and PostgreSQL (a throwaway database). */
import { sqlBackends, sqlFixture } from '../../../test/helpers/sql-backends.js';
import { describeProfileStore } from '../../monitoring/profiles/profile-store.suite.js';
import { SqlProfileStore } from './profile-store.js';

for (const [name, make] of sqlBackends('profiles')) {
  describeProfileStore(name, async () =>
    sqlFixture(await make(), (sql) => ({ store: new SqlProfileStore(sql) })),
  );
}
