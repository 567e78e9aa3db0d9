/**
 * The materialization log over SQLite or PostgreSQL: table `feature_materializations` (migration
 * 005), one row per run, its validation report and statistics as JSON text. "Latest run per view"
 * is the row whose start time is the highest of its (project, view), ties broken by run id.
 */
import type { Kysely, Selectable } from 'kysely';
import type {
  MaterializationFilter,
  MaterializationRun,
  MaterializationStatus,
  MaterializationStore,
} from '../../features/materialization-log.js';
import type { SqlDatabase } from './connect.js';
import type { Database, FeatureMaterializationsTable } from './schema.js';

type Db = Kysely<Database>;
type Row = Selectable<FeatureMaterializationsTable>;

const num = (v: number | null) => (v === null ? null : Number(v));

function toRun(row: Row): MaterializationRun {
  return {
    id: row.run_id,
    project: row.project,
    view: row.view,
    viewVersion: num(row.view_version),
    windowStart: Number(row.window_start),
    windowEnd: Number(row.window_end),
    startedAt: Number(row.started_at),
    finishedAt: num(row.finished_at),
    status: row.status as MaterializationStatus,
    rowsRead: Number(row.rows_read),
    rowsWritten: Number(row.rows_written),
    rowsRefused: Number(row.rows_refused),
    newestEventTimestamp: num(row.newest_event_ts),
    report: row.report === null ? null : JSON.parse(row.report),
    statistics: row.statistics === null ? null : JSON.parse(row.statistics),
    error: row.error,
  };
}

function toRow(run: MaterializationRun): Row {
  return {
    run_id: run.id,
    project: run.project,
    view: run.view,
    view_version: run.viewVersion,
    window_start: run.windowStart,
    window_end: run.windowEnd,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    status: run.status,
    rows_read: run.rowsRead,
    rows_written: run.rowsWritten,
    rows_refused: run.rowsRefused,
    newest_event_ts: run.newestEventTimestamp,
    report: run.report === null ? null : JSON.stringify(run.report),
    statistics: run.statistics === null ? null : JSON.stringify(run.statistics),
    error: run.error,
  };
}

/** Materialization runs in the metadata database. */
export class SqlMaterializationStore implements MaterializationStore {
  constructor(private readonly sql: SqlDatabase) {}

  private get db(): Db {
    return this.sql.db;
  }

  async insertRun(run: MaterializationRun): Promise<void> {
    await this.db.insertInto('feature_materializations').values(toRow(run)).execute();
  }

  async updateRun(run: MaterializationRun): Promise<void> {
    const { run_id, ...rest } = toRow(run);
    await this.db.updateTable('feature_materializations').set(rest).where('run_id', '=', run_id).execute();
  }

  async latestRuns(filter: MaterializationFilter = {}): Promise<MaterializationRun[]> {
    const status = filter.status;
    // A run is the latest of its view when no matching run of that view started after it.
    let query = this.filtered('m', filter).where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('feature_materializations as n')
            .select('n.run_id')
            .whereRef('n.project', '=', 'm.project')
            .whereRef('n.view', '=', 'm.view')
            .where((w) => (status ? w('n.status', 'in', status) : w.lit(true)))
            .where((w) =>
              w.or([
                w('n.started_at', '>', w.ref('m.started_at')),
                w.and([w('n.started_at', '=', w.ref('m.started_at')), w('n.run_id', '>', w.ref('m.run_id'))]),
              ]),
            ),
        ),
      ),
    );
    query = query.orderBy('m.project').orderBy('m.view');
    return (await query.execute()).map(toRun);
  }

  async listRuns(filter: MaterializationFilter & { limit?: number }): Promise<MaterializationRun[]> {
    let query = this.filtered('m', filter).orderBy('m.started_at', 'desc').orderBy('m.run_id', 'desc');
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return (await query.execute()).map(toRun);
  }

  private filtered(alias: 'm', filter: MaterializationFilter) {
    let query = this.db.selectFrom(`feature_materializations as ${alias}`).selectAll(alias);
    if (filter.project !== undefined) query = query.where('m.project', '=', filter.project);
    if (filter.view !== undefined) query = query.where('m.view', '=', filter.view);
    if (filter.status) query = query.where('m.status', 'in', filter.status);
    return query;
  }
}
