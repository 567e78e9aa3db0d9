import type { Tag } from '../../core/types.js';
import type {
  ExperimentPatch,
  ExperimentQuery,
  NewExperiment,
  NewRun,
  RunPatch,
  RunQuery,
  TrackingStore,
} from '../../tracking/store.js';
import type { DatasetInput, RunBatch } from '../../tracking/types.js';
import type { SqlDatabase } from './connect.js';
import * as experiments from './tracking/experiments.js';
import * as runData from './tracking/run-data.js';
import * as runs from './tracking/runs.js';

/** The tracking store over SQLite or PostgreSQL (one implementation; the few dialect differences are in search/ and run-data.ts). */
export class SqlTrackingStore implements TrackingStore {
  constructor(private readonly sql: SqlDatabase) {}

  private get db() {
    return this.sql.db;
  }

  createExperiment(input: NewExperiment) {
    return experiments.createExperiment(this.db, input);
  }
  getExperiment(experimentId: string) {
    return experiments.getExperiment(this.db, experimentId);
  }
  getExperimentByName(name: string) {
    return experiments.getExperimentByName(this.db, name);
  }
  searchExperiments(query: ExperimentQuery) {
    return experiments.searchExperiments(this.db, this.sql.dialect, query);
  }
  updateExperiment(experimentId: string, patch: ExperimentPatch) {
    return experiments.updateExperiment(this.db, experimentId, patch);
  }
  setExperimentTag(experimentId: string, tag: Tag) {
    return experiments.setExperimentTag(this.db, experimentId, tag);
  }

  async createRun(input: NewRun) {
    const run = await runs.createRun(this.db, input);
    this.sql.statistics.noteWrites(1 + input.tags.length);
    return run;
  }
  getRun(runId: string) {
    return runs.getRun(this.db, runId);
  }
  getRunInfo(runId: string) {
    return runs.getRunInfo(this.db, runId);
  }
  updateRun(runId: string, patch: RunPatch) {
    return runs.updateRun(this.db, runId, patch);
  }
  searchRuns(query: RunQuery) {
    return runs.searchRuns(this.db, this.sql.dialect, query);
  }

  async logBatch(runId: string, batch: RunBatch) {
    await runData.logBatch(this.db, this.sql.dialect, runId, batch);
    this.sql.statistics.noteWrites(batch.metrics.length + batch.params.length + batch.tags.length);
  }
  deleteRunTag(runId: string, key: string) {
    return runData.deleteRunTag(this.db, runId, key);
  }
  getMetricHistory(runId: string, key: string, page: { maxResults: number; pageToken?: string }) {
    return runData.getMetricHistory(this.db, runId, key, page);
  }
  logInputs(runId: string, inputs: DatasetInput[]) {
    return runData.logInputs(this.db, runId, inputs);
  }
}
