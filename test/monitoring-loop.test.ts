/**
 * The monitoring loop end to end: `slipway server` serving a model in-process with an inference log
 * and a monitoring file. A latency SLO no request can meet burns its budget, the alert fires, and a
 * real webhook receiver (node:http) gets the signed JSON — after answering 500 for a while, during
 * which serving keeps answering 200 and the delivery's retries are visible over the API. Skew is
 * checked for every served version (against the training set of its lineage, or skipped with the
 * reason), performance is measured from posted labels, and /metrics shows the gauges.
 */
import { createHmac } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/cli/config-loader.js';
import { type RunningServer, startServer } from '../src/cli/server-command.js';
import type { SlipwayConfig } from '../src/core/config.js';
import { datasetInput } from '../src/datasets/dataset-input.js';
import { queryInferenceLog } from '../src/monitoring/inference-log/index.js';
import { parseMonitorConfig } from '../src/monitoring/monitor/index.js';
import { openPlatform } from '../src/platform.js';
import { runCli as cli } from './helpers/run-cli.js';

const SECRET = 'hook-s3cret';

/** A webhook receiver that answers 500 until `up`, recording every request. */
class Receiver {
  up = false;
  readonly received: Array<{ body: string; signature: string | undefined; attempt: string | undefined }> = [];
  private readonly server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      this.received.push({
        body,
        signature: req.headers['x-slipway-signature'] as string | undefined,
        attempt: req.headers['x-slipway-attempt'] as string | undefined,
      });
      res.statusCode = this.up ? 200 : 500;
      res.end();
    });
  });
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** A URL nothing listens on: a port bound and released again. */
async function closedPortUrl(): Promise<string> {
  const s = createHttpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}/hook`;
}

/** Polls `read` until `done` holds (no timing is asserted; the deadline only stops a hung test). */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function monitoringYaml(hook: string, down: string): string {
  return `
interval: 1h
slos:
  - {name: mymodel-latency, model: mymodel, kind: latency, objective: 0.99, threshold: 1us}
alerts:
  - {name: mymodel-burn, metric: slo.mymodel-latency.burn, comparison: '>=', threshold: 14.4, severity: critical}
channels:
  - {name: ops, type: webhook, url: '${hook}', secret: '\${HOOK_SECRET}', timeout: 2s}
  - {name: nowhere, type: webhook, url: '${down}', timeout: 2s}
retry: {initial: 100ms, max: 500ms}
skew: {window: 1h, every: 1h}
performance: {model: mymodel, prediction: out_y, task: regression, window: 1h}
`;
}

/** mymodel v1 (lineage: the training set mymodel_train v1, x_1 around 0.5) is registered; `other` is not. */
async function registerMymodel(config: SlipwayConfig, home: string): Promise<void> {
  const train = join(home, 'train.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(
    `COPY (SELECT (i % 10)::DOUBLE AS x_0, (i % 100) / 100.0 AS x_1, 3.0 AS x_2 FROM range(300) t(i)) TO '${train}' (FORMAT parquet)`,
  );
  conn.closeSync();
  db.closeSync();
  const platform = await openPlatform(config);
  try {
    const { dataset } = await platform.datasets.register({
      name: 'mymodel_train',
      digest: `sha256:${'c'.repeat(64)}`,
      source: pathToFileURL(train).href,
      rows: 300,
      schema: { x_0: 'DOUBLE', x_1: 'DOUBLE', x_2: 'DOUBLE' },
    });
    const run = await platform.tracking.createRun();
    await platform.tracking.logInputs(run.info.runId, [datasetInput(dataset)]);
    await platform.registry.createRegisteredModel({ name: 'mymodel' });
    await platform.registry.createModelVersion({
      name: 'mymodel',
      source: 'file:///m',
      runId: run.info.runId,
    });
  } finally {
    await platform.close();
  }
}

describe('slipway server --monitoring', () => {
  const home = mkdtempSync(join(tmpdir(), 'slipway-monitoring-loop-'));
  const repository = join(home, 'models');
  const logDir = join(home, 'inference-log');
  const receiver = new Receiver();
  let config: SlipwayConfig;
  let yaml: string;
  let server: RunningServer;
  let bare: RunningServer;

  const start = () =>
    startServer(config, {
      repository,
      inferenceLog: { dir: logDir },
      monitoring: parseMonitorConfig(yaml, { file: 'monitoring.yaml', env: { HOOK_SECRET: SECRET } }),
    });
  const api = (path: string, init?: RequestInit) => fetch(`${server.url}/api/v1/monitoring${path}`, init);
  const json = async (path: string, init?: RequestInit) => (await api(path, init)).json();
  const predict = (i: number) =>
    fetch(`${server.url}/v1/models/mymodel:predict`, {
      method: 'POST',
      body: JSON.stringify({ instances: [[i % 10, 10 + i, 3]] }),
    });

  beforeAll(async () => {
    for (const name of ['mymodel', 'other']) {
      mkdirSync(join(repository, name, '1'), { recursive: true });
      copyFileSync(
        'test/fixtures/serving/repository/mymodel/1/model.onnx',
        join(repository, name, '1', 'model.onnx'),
      );
    }
    config = loadConfig({ flags: { port: 0, home, logLevel: 'fatal' }, env: {}, cwd: home });
    await registerMymodel(config, home);
    yaml = monitoringYaml(await receiver.listen(), await closedPortUrl());
    server = await start();
    bare = await startServer(config);
  });
  afterAll(async () => {
    await server?.close();
    await bare?.close();
    await receiver.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('fires the burn alert, retries the webhook while it answers 500 without slowing serving, then delivers it signed', async () => {
    for (let i = 0; i < 30; i++) expect((await predict(i)).status).toBe(200);
    await fetch(`${server.url}/v1/models/other:predict`, {
      method: 'POST',
      body: '{"instances": [[1, 2, 3]]}',
    });
    const tick = await json('/evaluate', { method: 'POST' });
    expect(tick.errors).toEqual([]);
    // Every request is slower than 1 µs: 100 % bad events against a 1 % budget burn it 100× over.
    expect(tick.slos).toEqual([expect.objectContaining({ name: 'mymodel-latency', burnRate: 100 })]);
    expect(tick.alerts).toMatchObject({ firing: 1, changed: [{ rule: 'mymodel-burn', state: 'firing' }] });
    expect(await json('/alerts')).toMatchObject({
      alerts: [
        {
          rule: 'mymodel-burn',
          state: 'firing',
          value: 100,
          labels: { model: 'mymodel', slo: 'mymodel-latency' },
        },
      ],
    });

    const retrying = await until(
      () => json('/alerts/deliveries?rule=mymodel-burn'),
      (r) =>
        r.deliveries.some(
          (d: { channel: string; attempts: number }) => d.channel === 'ops' && d.attempts >= 2,
        ),
      'two failed attempts',
    );
    expect(retrying.deliveries.find((d: { channel: string }) => d.channel === 'ops')).toMatchObject({
      status: 'pending',
      state: 'firing',
      lastError: 'HTTP 500',
      nextAttemptAt: expect.any(String),
    });
    // The receiver is down; serving goes on answering.
    const during = await Promise.all(Array.from({ length: 20 }, (_, i) => predict(i)));
    expect(during.map((r) => r.status)).toEqual(Array(20).fill(200));

    receiver.up = true;
    const done = await until(
      () => json('/alerts/deliveries?rule=mymodel-burn&status=delivered'),
      (r) => r.deliveries.length === 1,
      'the delivery',
    );
    expect(done.deliveries[0]).toMatchObject({
      channel: 'ops',
      status: 'delivered',
      lastError: null,
      nextAttemptAt: null,
    });
    const attempts = done.deliveries[0].attempts;
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(receiver.received).toHaveLength(attempts);
    const last = receiver.received.at(-1)!;
    expect(last.attempt).toBe(String(attempts));
    expect(last.signature).toBe(`sha256=${createHmac('sha256', SECRET).update(last.body).digest('hex')}`);
    expect(JSON.parse(last.body)).toMatchObject({
      alert: 'mymodel-burn',
      state: 'firing',
      severity: 'critical',
      metric: 'slo.mymodel-latency.burn',
      value: 100,
      threshold: 14.4,
      labels: { model: 'mymodel', slo: 'mymodel-latency' },
    });
    // Every attempt sent the same bytes, so the same signature.
    expect(new Set(receiver.received.map((r) => r.signature)).size).toBe(1);
    // A receiver nothing listens on: retried, its reason visible, never delivered.
    const nowhere = (await json('/alerts/deliveries?rule=mymodel-burn')).deliveries.find(
      (d: { channel: string }) => d.channel === 'nowhere',
    );
    expect(nowhere).toMatchObject({ status: 'pending', lastError: 'ECONNREFUSED' });
  });

  it('checks skew of every served version: against the lineage training set, or skipped with the reason', async () => {
    await json('/evaluate', { method: 'POST' });
    const { skew } = await json('/skew');
    const mymodel = skew.find((s: { model: string }) => s.model === 'mymodel');
    expect(mymodel).toMatchObject({ version: '1', status: 'checked', reference: 'mymodel_train/1' });
    const byColumn = Object.fromEntries(mymodel.columns.map((c: { column: string }) => [c.column, c]));
    // Served x_1 is 10…39, the training set's lies in [0, 1): drifted. x_0 has the same ten values.
    expect(byColumn.in_x_1).toMatchObject({ drifted: true });
    expect(byColumn.in_x_0).toMatchObject({ drifted: false });
    expect(mymodel.share).toBeCloseTo(1 / 3, 10);
    expect(skew.find((s: { model: string }) => s.model === 'other')).toMatchObject({
      version: '1',
      status: 'skipped',
      code: 'RESOURCE_DOES_NOT_EXIST',
      reason: expect.stringContaining('other'),
    });
  });

  it('shows SLO burn, alert state, drift and performance on /metrics', async () => {
    const logged = await queryInferenceLog({ dir: logDir, model: 'mymodel' });
    const rows = await logged.rows('SELECT request_id, out_y FROM inference_log ORDER BY ts LIMIT 4');
    logged.close();
    const labels = rows.map((r) => ({ requestId: String(r.request_id), value: Number(r.out_y) + 2 }));
    const posted = await fetch(`${server.url}/api/v1/labels`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mymodel', labels }),
    });
    expect(posted.status).toBe(200);
    const tick = await json('/evaluate', { method: 'POST' });
    expect(tick.performance).toMatchObject({ ran: true, checked: 1 });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(
      /slipway_slo_burn_rate\{model="mymodel",version="",slo="mymodel-latency",window="1h"\} 100/,
    );
    expect(text).toContain('slipway_alert_state{rule="mymodel-burn",severity="critical"} 2');
    expect(text).toMatch(/slipway_drift_share\{model="mymodel",version="1"\} 0\.333/);
    expect(text).toMatch(/slipway_drift_score\{model="mymodel",version="1",column="in_x_1",test="ks"\} /);
    // Each labelled prediction is off by exactly 2.
    expect(text).toContain('slipway_model_performance{model="mymodel",version="1",metric="mae"} 2');
    const measured = await json('/performance?model=mymodel%2F1&window=1h&prediction=out_y&task=regression');
    expect(measured).toMatchObject({
      model: 'mymodel',
      version: '1',
      groups: [{ labelled: 4, realized: { mae: 2, rmse: 2 } }],
    });
  });

  it('lists alerts, rules and deliveries and sets rules from the CLI; measures performance locally', async () => {
    const at = ['--tracking-uri', server.url];
    const states = await cli(['monitor', 'alerts', ...at], home);
    expect(states.exitCode).toBeUndefined();
    expect(states.out.split('\n')[0]).toMatch(/^RULE\s+STATE\s+VALUE\s+SINCE\s+LABELS/);
    expect(states.out).toMatch(/mymodel-burn\s+FIRING\s+100\s/);
    const set = await cli(
      [
        'monitor',
        'alerts',
        'set',
        'perf-mae',
        '--metric',
        'performance.mae',
        '--comparison',
        '>',
        '--threshold',
        '1',
        '--for',
        '10m',
        ...at,
      ],
      home,
    );
    expect(set.err).toBe('');
    expect(set.out).toBe('rule perf-mae: performance.mae > 1 (window 5m, for 10m, warning)\n');
    const bad = await cli(
      [
        'monitor',
        'alerts',
        'set',
        'x',
        '--metric',
        'drift.share',
        '--comparison',
        '~',
        '--threshold',
        '1',
        ...at,
      ],
      home,
    );
    expect(bad.exitCode).toBe(1);
    expect(bad.err).toContain("'comparison'");
    const rules = await cli(['monitor', 'alerts', 'rules', ...at], home);
    expect(rules.err).toBe('');
    expect(rules.out).toMatch(/perf-mae\s+performance\.mae > 1\s+5m\s+10m\s+warning/);
    const deliveries = await cli(['monitor', 'alerts', 'deliveries', '--status', 'delivered', ...at], home);
    expect(deliveries.out).toMatch(/mymodel-burn\s+firing\s+ops\s+DELIVERED\s+\d+/);
    expect((await cli(['monitor', 'alerts', 'delete', 'perf-mae', ...at], home)).out).toBe(
      'rule perf-mae deleted\n',
    );
    const perf = await cli(
      [
        'monitor',
        'performance',
        '--model',
        'mymodel/1',
        '--window',
        '1h',
        '--inference-log',
        'inference-log',
        '--prediction',
        'out_y',
        '--task',
        'regression',
        '--home',
        home,
      ],
      home,
    );
    expect(perf.exitCode).toBeUndefined();
    expect(perf.out).toMatch(/\(all\)\s+\d+\s+4\s+2\s+2\n/);
  });

  it('refuses a bad rule with 400 naming the field and stores nothing; rules put over the API survive a restart', async () => {
    const put = (name: string, body: unknown) =>
      api(`/alerts/rules/${name}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const [body, field] of [
      [{ metric: 'drift.share', comparison: '~', threshold: 0.5 }, 'comparison'],
      [{ metric: 'drift.share', comparison: '>', threshold: 'high' }, 'threshold'],
      [{ metric: 'drift.share', comparison: '>', threshold: 0.5, for: 'later' }, 'for'],
      [{ metric: 'nonsense.metric', comparison: '>', threshold: 0.5 }, 'metric'],
      [{ metric: 'drift.share', comparison: '>', threshold: 0.5, treshold: 1 }, 'treshold'],
    ] as const) {
      const res = await put('skew-share', body);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', details: { field } });
    }
    expect((await json('/alerts/rules')).rules.map((r: { name: string }) => r.name)).toEqual([
      'mymodel-burn',
    ]);
    const ok = await put('skew-share', {
      metric: 'drift.share',
      comparison: '>',
      threshold: 0.5,
      window: '2h',
    });
    expect(ok.status).toBe(200);
    expect((await ok.json()).rule).toMatchObject({ name: 'skew-share', windowMs: 7_200_000 });
    await server.close();
    server = await start();
    const names = (await json('/alerts/rules')).rules.map((r: { name: string }) => r.name).sort();
    expect(names).toEqual(['mymodel-burn', 'skew-share']);
    expect((await api('/alerts/rules/skew-share', { method: 'DELETE' })).status).toBe(200);
    expect((await api('/alerts/rules/skew-share', { method: 'DELETE' })).status).toBe(404);
  });

  it('answers 400 naming monitoring on a server without --monitoring', async () => {
    for (const path of ['/alerts', '/alerts/rules', '/alerts/deliveries', '/slos', '/skew']) {
      const res = await fetch(`${bare.url}/api/v1/monitoring${path}`);
      expect(res.status).toBe(400);
      expect((await res.json()).error.details).toMatchObject({ field: 'monitoring' });
    }
    const evaluate = await fetch(`${bare.url}/api/v1/monitoring/evaluate`, { method: 'POST' });
    expect((await evaluate.json()).error.details).toMatchObject({ field: 'monitoring' });
  });
});
