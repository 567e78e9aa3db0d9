/**
 * `npm run bench -- tracking`: tracking and registry over HTTP (the MLflow API on loopback, as the
 * stock client uses it) next to the same workload through the SDK in-process (the floor).
 * The MLflow 2.17.2 column holds the figures the issue measured for the real MLflow server on this
 * machine class; MLflow cannot be installed here (no PyPI), so it is quoted, not re-measured.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Slipway } from '../src/sdk/index.js';
import type { SlipwayClient } from '../src/sdk/types.js';
import { createTempPostgresDatabase } from '../test/helpers/postgres.js';
import { JsonClient } from './lib/http.js';
import { printTable, type Row, writeResults } from './lib/report.js';
import { startServer } from './lib/server-process.js';
import { fmtMs, type LatencySummary, summarize, timeEach } from './lib/stats.js';

const API = '/api/2.0/mlflow';
const SEARCH_RUNS = 10_000;
const FETCH_RUNS = 2_000;
const SEARCH_FILTER = "metrics.acc > 0.95 and params.lr = '0.01'";

interface Measured {
  workload: string;
  http: LatencySummary | { rate: number };
  local: LatencySummary | { rate: number };
  target: string;
  mlflow: string;
}

const batchOf = (n: number, step: number) =>
  Array.from({ length: n }, (_, i) => ({
    key: `m${i % 50}`,
    value: Math.random(),
    timestamp: Date.now(),
    step: step * 1000 + i,
  }));

/** Seeds the experiments the search and fetch workloads read, in-process (fast), before the server starts. */
async function seed(sdk: SlipwayClient): Promise<{ searchExp: string; fetchExp: string; model: string }> {
  const searchExp = (await sdk.experiments.create({ name: 'bench-search' })).experimentId;
  const fetchExp = (await sdk.experiments.create({ name: 'bench-fetch' })).experimentId;
  for (const [exp, n] of [
    [searchExp, SEARCH_RUNS],
    [fetchExp, FETCH_RUNS],
  ] as const) {
    for (let i = 0; i < n; i++) {
      const run = await sdk.runs.create({
        experimentId: exp,
        tags: [{ key: 'team', value: i % 3 ? 'x' : 'y' }],
      });
      await sdk.runs.logBatch(run.info.runId, {
        params: ['0.01', '0.1', '0.001', '0.05', '1']
          .map((v, j) => ({ key: `p${j}`, value: v }))
          .concat([{ key: 'lr', value: i % 2 ? '0.01' : '0.1' }]),
        metrics: ['acc', 'loss', 'f1', 'auc', 'rmse'].map((key) => ({
          key,
          value: Math.random(),
          timestamp: Date.now(),
          step: 0,
        })),
      });
      await sdk.runs.update(run.info.runId, { status: 'FINISHED', endTime: Date.now() });
    }
  }
  const model = 'bench-model';
  await sdk.models.create({ name: model });
  const v = await sdk.models.createVersion({ name: model, source: 'mlflow-artifacts:/0/none/model' });
  await sdk.models.setAlias(model, 'champion', v.version);
  return { searchExp, fetchExp, model };
}

async function sustained(
  clients: number,
  seconds: number,
  logBatch: (client: number, step: number) => Promise<void>,
) {
  const end = performance.now() + seconds * 1000;
  let metrics = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let step = 0; performance.now() < end; step++) {
        await logBatch(c, step);
        metrics += 1000;
      }
    }),
  );
  return { rate: metrics / seconds };
}

function row(m: Measured): Row {
  const show = (x: LatencySummary | { rate: number }) =>
    'rate' in x
      ? `${Math.round(x.rate).toLocaleString('en')} metrics/s`
      : `p50 ${fmtMs(x.p50)} · p99 ${fmtMs(x.p99)}`;
  const ratio =
    'rate' in m.http && 'rate' in m.local
      ? `${(m.local.rate / m.http.rate).toFixed(2)}×`
      : 'p50' in m.http && 'p50' in m.local
        ? `${(m.http.p50 / m.local.p50).toFixed(2)}×`
        : '';
  return {
    workload: m.workload,
    'HTTP (MLflow API)': show(m.http),
    'in-process SDK': show(m.local),
    'HTTP/SDK': ratio,
    target: m.target,
    'MLflow 2.17.2 (issue)': m.mlflow,
  };
}

/**
 * `npm run bench -- tracking` measures the embedded default (SQLite); `-- tracking --postgres` the
 * same workloads with the metadata in a fresh PostgreSQL database on 127.0.0.1:5432.
 */
export async function run(args: string[] = []): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  const pg = args.includes('--postgres') ? await createTempPostgresDatabase() : undefined;
  const backend = pg ? 'PostgreSQL' : 'SQLite';
  const local = await Slipway.open({ home, backendStoreUri: pg?.uri });
  console.log(`seeding ${SEARCH_RUNS + FETCH_RUNS} runs…`);
  const { searchExp, fetchExp, model } = await seed(local);
  const server = await startServer(home, pg ? ['--backend-store-uri', pg.uri] : []);
  const http = new JsonClient('127.0.0.1', server.port);
  const results: Measured[] = [];
  try {
    const httpRun = (
      await http.ok<{ run: { info: { run_id: string } } }>('POST', `${API}/runs/create`, {
        experiment_id: '0',
      })
    ).run.info.run_id;
    const localRun = (await local.runs.create({ experimentId: '0' })).info.runId;

    results.push({
      workload: 'log_metric (1 call)',
      http: summarize(
        await timeEach(2000, (i) =>
          http.ok('POST', `${API}/runs/log-metric`, {
            run_id: httpRun,
            key: 'loss',
            value: 0.5,
            timestamp: Date.now(),
            step: i + 100,
          }),
        ),
      ),
      local: summarize(
        await timeEach(2000, (i) => local.runs.logMetric(localRun, 'loss', 0.5, { step: i + 100 })),
      ),
      target: 'p50 ≤ 1 ms',
      mlflow: '10.8 ms',
    });
    results.push({
      workload: 'log_batch of 1,000 metrics',
      http: summarize(
        await timeEach(200, (i) =>
          http.ok('POST', `${API}/runs/log-batch`, { run_id: httpRun, metrics: batchOf(1000, i + 10) }),
        ),
      ),
      local: summarize(
        await timeEach(200, (i) => local.runs.logBatch(localRun, { metrics: batchOf(1000, i + 10) })),
      ),
      target: '≤ 15 ms',
      mlflow: '130 ms',
    });

    const httpRuns = await Promise.all(
      Array.from(
        { length: 8 },
        async () =>
          (
            await http.ok<{ run: { info: { run_id: string } } }>('POST', `${API}/runs/create`, {
              experiment_id: '0',
            })
          ).run.info.run_id,
      ),
    );
    const localRuns = await Promise.all(
      Array.from({ length: 8 }, async () => (await local.runs.create({ experimentId: '0' })).info.runId),
    );
    results.push({
      workload: 'sustained ingest, 8 clients × log_batch(1000)',
      http: await sustained(8, 5, async (c, s) => {
        await http.ok('POST', `${API}/runs/log-batch`, { run_id: httpRuns[c], metrics: batchOf(1000, s) });
      }),
      local: await sustained(8, 5, (c, s) =>
        local.runs.logBatch(localRuns[c], { metrics: batchOf(1000, s) }),
      ),
      target: '≥ 100,000 metrics/s',
      mlflow: '~7,700 metrics/s (1 client, 130 ms/1000)',
    });

    const createRunHttp = async () => {
      const id = (
        await http.ok<{ run: { info: { run_id: string } } }>('POST', `${API}/runs/create`, {
          experiment_id: '0',
        })
      ).run.info.run_id;
      await http.ok('POST', `${API}/runs/log-batch`, {
        run_id: id,
        params: [0, 1, 2, 3, 4].map((j) => ({ key: `p${j}`, value: String(j) })),
        metrics: [0, 1, 2, 3, 4].map((j) => ({ key: `m${j}`, value: j, timestamp: Date.now(), step: 0 })),
      });
      await http.ok('POST', `${API}/runs/update`, { run_id: id, status: 'FINISHED', end_time: Date.now() });
    };
    const createRunLocal = async () => {
      const id = (await local.runs.create({ experimentId: '0' })).info.runId;
      await local.runs.logBatch(id, {
        params: [0, 1, 2, 3, 4].map((j) => ({ key: `p${j}`, value: String(j) })),
        metrics: [0, 1, 2, 3, 4].map((j) => ({ key: `m${j}`, value: j, timestamp: Date.now(), step: 0 })),
      });
      await local.runs.update(id, { status: 'FINISHED', endTime: Date.now() });
    };
    results.push({
      workload: 'create run + log_batch(5 params, 5 metrics) + end',
      http: summarize(await timeEach(500, createRunHttp)),
      local: summarize(await timeEach(500, createRunLocal)),
      target: '—',
      mlflow: '~50 ms',
    });

    results.push({
      workload: `filtered search over ${SEARCH_RUNS.toLocaleString('en')} runs (${SEARCH_FILTER})`,
      http: summarize(
        await timeEach(
          50,
          () =>
            http.ok('POST', `${API}/runs/search`, {
              experiment_ids: [searchExp],
              filter: SEARCH_FILTER,
              max_results: 1000,
            }),
          3,
        ),
      ),
      local: summarize(
        await timeEach(
          50,
          () => local.runs.search({ experimentIds: [searchExp], filter: SEARCH_FILTER, maxResults: 1000 }),
          3,
        ),
      ),
      target: '≤ 25 ms',
      mlflow: '250–400 ms (over 2,000 runs)',
    });

    const fetchAllHttp = async () => {
      let token: string | undefined;
      let n = 0;
      do {
        const page = await http.ok<{ runs?: unknown[]; next_page_token?: string }>(
          'POST',
          `${API}/runs/search`,
          { experiment_ids: [fetchExp], max_results: 1000, page_token: token },
        );
        n += page.runs?.length ?? 0;
        token = page.next_page_token;
      } while (token);
      if (n !== FETCH_RUNS) throw new Error(`fetched ${n} runs, expected ${FETCH_RUNS}`);
    };
    const fetchAllLocal = async () => {
      let token: string | undefined;
      do {
        const page = await local.runs.search({
          experimentIds: [fetchExp],
          maxResults: 1000,
          pageToken: token,
        });
        token = page.nextPageToken;
      } while (token);
    };
    results.push({
      workload: `fetch all ${FETCH_RUNS.toLocaleString('en')} runs (pages of 1,000)`,
      http: summarize(await timeEach(20, fetchAllHttp, 2)),
      local: summarize(await timeEach(20, fetchAllLocal, 2)),
      target: '≤ 200 ms',
      mlflow: '2.2 s',
    });

    results.push({
      workload: 'get model version by alias',
      http: summarize(
        await timeEach(2000, () =>
          http.ok('GET', `${API}/registered-models/alias?name=${model}&alias=champion`),
        ),
      ),
      local: summarize(await timeEach(2000, () => local.models.getVersionByAlias(model, 'champion'))),
      target: '≤ 1 ms',
      mlflow: '7 ms',
    });
  } finally {
    http.close();
    await server.stop();
    await local.close();
    await pg?.drop();
    rmSync(home, { recursive: true, force: true });
  }
  console.log(`metadata store: ${backend}`);
  printTable(results.map(row));
  const file = writeResults(`tracking-${backend.toLowerCase()}`, {
    backend,
    machine: { cpus: cpus().length, node: process.version },
    results,
  });
  console.log(`\nwrote ${file}`);
}
