/**
 * Runs the README's monitoring walkthrough as written: one `slipway server` serving a model with an
 * inference log and a monitoring file; traffic with request ids, labels, a tick that fires an SLO
 * burn alert and an MAE alert to a real webhook receiver (its HMAC signature checked here), the
 * alerts and deliveries over the CLI, performance over the API and /metrics, then a drift report
 * with its HTML page. Only what a test must change: `npx slipway` is this checkout's CLI (dist/: `npm test`
 * builds it first), the server and the receiver get free ports, and `test/fixtures/` and `node_modules` are this checkout's.
 */
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  cleanEnv,
  freePort,
  ROOT,
  readmeBlock,
  requireBuiltCli,
  runScript,
  type ScriptResult,
  substitute,
} from './helpers/readme-script.js';

const SCRIPT_TIMEOUT_MS = 90_000;

describe('the README monitoring walkthrough', () => {
  let dir: string;
  let result: ScriptResult;

  beforeAll(async () => {
    requireBuiltCli();
    dir = mkdtempSync(join(tmpdir(), 'slipway-readme-monitoring-'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const hookPort = await freePort();
    let script = readmeBlock('monitoring-walkthrough');
    script = substitute(script, /\btest\/fixtures\//g, `${join(ROOT, 'test', 'fixtures')}/`);
    script = substitute(script, /127\.0\.0\.1:9000\b/g, `127.0.0.1:${hookPort}`);
    script = substitute(script, /\.listen\(9000\)/g, `.listen(${hookPort})`);
    const serverPort = await freePort();
    script = substitute(script, /\bnpx slipway\b/g, `node ${CLI}`);
    script = substitute(
      script,
      /--monitoring monitoring\.yaml &/g,
      `--monitoring monitoring.yaml --port ${serverPort} &`,
    );
    script = substitute(script, /localhost:5000\b/g, `localhost:${serverPort}`);
    // Stop the receiver (and the server, if a step failed) however the script ends.
    script = `set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT\n${script}`;
    result = await runScript(script, dir, cleanEnv(dir), SCRIPT_TIMEOUT_MS);
  }, SCRIPT_TIMEOUT_MS + 10_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs to the end as typed', () => {
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it('verifies the labels against the log of requests answered a moment before', () => {
    expect(result.stdout).toContain(
      '{"model":"mymodel","accepted":4,"verified":true,"unknownRequestIds":0,"unknownRequestIdSample":[]}',
    );
  });

  it('delivers both alerts to the webhook, signed with the secret', () => {
    const hooks = readFileSync(join(dir, 'webhook.log'), 'utf8').trim().split('\n');
    const alerts = hooks.map((line) => {
      const [signature, ...body] = line.split(' ');
      const raw = body.join(' ');
      expect(signature).toBe(`sha256=${createHmac('sha256', 's3cret').update(raw).digest('hex')}`);
      return JSON.parse(raw) as {
        alert: string;
        state: string;
        value: number;
        labels: Record<string, string>;
      };
    });
    const byName = Object.fromEntries(alerts.map((a) => [a.alert, a]));
    expect(byName['mymodel-fast-burn']).toMatchObject({ state: 'firing', value: 100 });
    expect(byName['mymodel-mae']).toMatchObject({ state: 'firing', value: 0.75, labels: { version: '1' } });
  });

  it('lists the firing alerts and their delivered notifications on the CLI', () => {
    expect(result.stdout).toMatch(/^mymodel-fast-burn\s+FIRING\s+100\s/m);
    expect(result.stdout).toMatch(/^mymodel-mae\s+FIRING\s+0\.75\s/m);
    expect(result.stdout).toMatch(/\smymodel-mae\s+firing\s+ops\s+DELIVERED\s+1\b/);
    expect(result.stdout).toMatch(/\smymodel-fast-burn\s+firing\s+ops\s+DELIVERED\s+1\b/);
  });

  it('reports MAE and RMSE over the labelled predictions, on the API and /metrics', () => {
    expect(result.stdout).toContain(
      '"predictions":40,"labelled":4,"realized":{"mae":0.75,"rmse":0.8660254037844386}',
    );
    expect(result.stdout).toContain(
      'slipway_model_performance{model="mymodel",version="1",metric="mae"} 0.75',
    );
    expect(result.stdout).toContain('slipway_alert_state{rule="mymodel-mae",severity="warning"} 2');
  });

  it('finds the drift of in_x_1 only and writes the HTML report', () => {
    expect(result.stdout).toContain(
      'dataset drift: not detected — 1 of 3 columns drifted (33 %, threshold 50 %)',
    );
    expect(result.stdout).toMatch(/^in_x_0\s+numeric\s+ks\s+1\s+0\.05\s+ok$/m);
    expect(result.stdout).toMatch(/^in_x_1\s+numeric\s+ks\s+\S+\s+0\.05\s+DRIFT$/m);
    expect(result.stdout).toMatch(/^in_x_2\s+numeric\s+z\s+1\s+0\.05\s+ok$/m);
    const html = readFileSync(join(dir, 'drift.html'), 'utf8');
    expect(html).toContain('in_x_1');
    expect(html).toContain('<svg');
    expect(html).not.toContain('<script');
    expect(existsSync(join(dir, 'inference-log', 'mymodel', '1'))).toBe(true);
  });
});
