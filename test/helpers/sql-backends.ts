/**
 * The metadata-store backends every SQL store suite runs against: a SQLite file in a temp folder and
 * a fresh PostgreSQL database (127.0.0.1:5432), each with a `dispose()` that removes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempPostgresDatabase } from './postgres.js';

export interface SqlBackend {
  uri: string;
  dispose(): Promise<void>;
}

/**
 * `[name, make]` pairs for `describe.each`.
 *
 * @example
 * describe.each(sqlBackends('event-store'))('event store over %s', (_name, make) => { … });
 */
export function sqlBackends(prefix: string): Array<[string, () => Promise<SqlBackend>]> {
  return [
    [
      'SQLite',
      async () => {
        const home = await mkdtemp(join(tmpdir(), `slipway-${prefix}-`));
        return {
          uri: `sqlite:///${join(home, 'slipway.db')}`,
          dispose: () => rm(home, { recursive: true, force: true }),
        };
      },
    ],
    [
      'PostgreSQL',
      async () => {
        const db = await createTempPostgresDatabase();
        return { uri: db.uri, dispose: () => db.drop() };
      },
    ],
  ];
}
