import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/cli/config-loader.js';
import { type RunningServer, startServer } from '../src/cli/server-command.js';
import { openPlatform } from '../src/platform.js';
import {
  registerModels,
  SCRIPT,
  T0,
  writeReference,
  writeServedTraffic,
} from './helpers/drift-report-fixture.js';
import { runCli as cli } from './helpers/run-cli.js';

const FROM = new Date(T0 - 3_600_000).toISOString();
const TO = new Date(T0 + 3_600_000).toISOString();

describe('slipway monitor report and GET /api/v1/monitoring/drift', () => {
  const home = mkdtempSync(join(tmpdir(), 'slipway-drift-cli-'));
  const logDir = join(home, 'inference-log');
  let server: RunningServer;
  let bare: RunningServer;

  beforeAll(async () => {
    await writeReference(join(home, 'train.parquet'));
    await writeServedTraffic(logDir);
    const config = loadConfig({ flags: { port: 0, home, logLevel: 'error' }, env: {}, cwd: home });
    const platform = await openPlatform(config);
    await registerModels(platform, join(home, 'train.parquet'));
    await platform.close();
    // A control plane with no in-process models reads the log that serve replicas wrote.
    server = await startServer(config, { inferenceLog: { dir: logDir, sampleRate: 1 } });
    bare = await startServer(config);
  });
  afterAll(async () => {
    await server?.close();
    await bare?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const drift = (query: string, url = server.url) => fetch(`${url}/api/v1/monitoring/drift?${query}`);

  it('prints a table with the drifted column, and writes a self-contained HTML report', async () => {
    const { out, exitCode } = await cli(
      [
        'monitor',
        'report',
        '--model',
        'fraud@champion',
        '--from',
        FROM,
        '--to',
        TO,
        '--inference-log',
        'inference-log',
        '--home',
        home,
        '--html',
        'drift.html',
      ],
      home,
    );
    expect(exitCode).toBeUndefined();
    expect(out).toContain('dataset drift: not detected — 1 of 4 columns drifted');
    const lines = out.split('\n');
    expect(lines.find((l) => l.startsWith('in_x_1'))).toMatch(/\bks\b.*DRIFT$/);
    expect(lines.find((l) => l.startsWith('in_x_0'))).toMatch(/\bok$/);
    const html = readFileSync(join(home, 'drift.html'), 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(5);
    expect(html).not.toContain(SCRIPT);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toMatch(/<script|<link|src=/);
  });

  it('serves the same JSON from the API as the CLI prints with --json', async () => {
    const { out } = await cli(
      [
        'monitor',
        'report',
        '--model',
        'fraud@champion',
        '--from',
        FROM,
        '--to',
        TO,
        '--inference-log',
        logDir,
        '--home',
        home,
        '--json',
      ],
      home,
    );
    const fromCli = JSON.parse(out);
    const res = await drift(`model=fraud%40champion&from=${FROM}&to=${TO}`);
    expect(res.status).toBe(200);
    const fromApi = await res.json();
    expect(fromApi.columns.find((c: { column: string }) => c.column === 'in_x_1').drifted).toBe(true);
    delete fromCli.generatedAt;
    delete fromApi.generatedAt;
    expect(fromApi).toEqual(fromCli);
  });

  it('answers 404 for an unknown model and 400 naming reference when no training set is recorded', async () => {
    const unknown = await drift('model=nope&window=24h');
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.message).toMatch(/nope/);
    const plain = await drift(`model=plain&from=${FROM}&to=${TO}`);
    expect(plain.status).toBe(400);
    expect((await plain.json()).error).toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      details: { field: 'reference' },
    });
    const badWindow = await drift('model=fraud&window=soon');
    expect(badWindow.status).toBe(400);
    expect((await badWindow.json()).error.details).toMatchObject({ field: 'window', got: "'soon'" });
    expect((await drift('window=24h')).status).toBe(400);
  });

  it('takes a dataset NAME/VERSION as the reference over HTTP, but never a server-side file path', async () => {
    const withDataset = await drift(`model=fraud/1&from=${FROM}&to=${TO}&reference=fraud_train/1`);
    expect(withDataset.status).toBe(200);
    expect((await withDataset.json()).reference).toEqual({
      kind: 'dataset',
      source: 'fraud_train/1',
      trainingDataset: false,
    });
    const withFile = await drift(
      `model=plain&from=${FROM}&to=${TO}&reference=${encodeURIComponent(join(home, 'train.parquet'))}`,
    );
    expect(withFile.status).toBe(400);
    expect((await withFile.json()).error.details).toMatchObject({ field: 'reference' });
  });

  it('refuses drift requests naming --inference-log on a server started without one', async () => {
    const res = await drift('model=fraud&window=24h', bare.url);
    expect(res.status).toBe(400);
    expect((await res.json()).error.details).toMatchObject({ field: 'inference-log' });
  });

  it('fails the CLI with a message naming --reference for a model without lineage', async () => {
    const { err, exitCode } = await cli(
      [
        'monitor',
        'report',
        '--model',
        'plain',
        '--from',
        FROM,
        '--to',
        TO,
        '--inference-log',
        logDir,
        '--home',
        home,
      ],
      home,
    );
    expect(exitCode).toBe(1);
    expect(err).toMatch(/records no training dataset.*--reference/);
  });
});
