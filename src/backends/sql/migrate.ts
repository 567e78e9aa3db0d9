import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { SlipwayError } from '../../core/errors.js';
import * as m001 from './migrations/001-initial.js';
import * as m002 from './migrations/002-search-indexes.js';
import * as m003 from './migrations/003-feature-definitions.js';
import * as m004 from './migrations/004-datasets.js';
import * as m005 from './migrations/005-feature-materializations.js';
import * as m006 from './migrations/006-monitoring-profiles.js';
import * as m007 from './migrations/007-monitoring-alerts.js';
import * as m008 from './migrations/008-monitoring-labels.js';
import * as m009 from './migrations/009-monitoring-events.js';
import type { Database, SqlDialectName } from './schema.js';

/** Numbered migrations, applied in order on start; append new ones, never edit a shipped one. */
const MIGRATIONS = {
  '001-initial': m001,
  '002-search-indexes': m002,
  '003-feature-definitions': m003,
  '004-datasets': m004,
  '005-feature-materializations': m005,
  '006-monitoring-profiles': m006,
  '007-monitoring-alerts': m007,
  '008-monitoring-labels': m008,
  '009-monitoring-events': m009,
};

class InCodeProvider implements MigrationProvider {
  constructor(private readonly dialect: SqlDialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, m] of Object.entries(MIGRATIONS)) {
      out[name] = { up: (db) => m.up(db, this.dialect) };
    }
    return out;
  }
}

/** Brings the database schema up to date. */
export async function migrateToLatest(db: Kysely<Database>, dialect: SqlDialectName): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new InCodeProvider(dialect),
    migrationTableName: 'slipway_migrations',
    migrationLockTableName: 'slipway_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new SlipwayError('INTERNAL_ERROR', `Database migration ${failed} failed: ${String(error)}`);
  }
}
