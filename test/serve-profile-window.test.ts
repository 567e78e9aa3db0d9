/** `slipway serve --inference-log DIR --inference-log-profile-window …`: profiles built while serving, as sidecars. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mergeProfileSidecars } from '../src/monitoring/profiles/index.js';
import { runCli } from './helpers/run-cli.js';

const REPOSITORY = resolve('test/fixtures/serving/repository');
const tmp: string[] = [];
const newDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'slipway-serve-profiles-'));
  tmp.push(d);
  return d;
};
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

/** `slipway serve` of the fixture repository into `home`, in this process; `url` is where it listens. */
async function serve(home: string, extra: string[]) {
  const args = ['serve', '--port', '0', '--model-repository', REPOSITORY, '--instances', '1'];
  const run = await runCli([...args, '--log-level', 'error', '--home', home, ...extra], home);
  return { ...run, url: /on (http:\/\/\S+)/.exec(run.out)?.[1] };
}

async function predict(url: string, instances: number[][]): Promise<void> {
  const res = await fetch(`${url}/v1/models/mymodel:predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ instances }),
  });
  expect(res.status).toBe(200);
}

const jsonFiles = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter(
    (e) => e.isFile() && e.name.endsWith('.json'),
  );

describe('--inference-log-profile-window', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('writes each window’s profile of the served inputs and outputs beside the segments', async () => {
    const home = newDir();
    const logDir = join(home, 'log');
    const started = Date.now();
    const { stop, url, out, err } = await serve(home, [
      '--inference-log',
      logDir,
      '--inference-log-profile-window',
      '1m',
    ]);
    expect(url, out + err).toBeDefined();
    await predict(url!, [
      [1, 2, 3],
      [3, 2, 1],
    ]);
    await predict(url!, [[5, 5, 5]]);
    await stop!();
    const profile = await mergeProfileSidecars({
      dir: logDir,
      model: 'mymodel',
      version: '1',
      from: new Date(started - 60_000),
    });
    expect(profile?.rows).toBe(3);
    expect([...profile!.columns.keys()].sort()).toEqual(['in_x_0', 'in_x_1', 'in_x_2', 'out_y']);
    const x0 = profile!.columns.get('in_x_0');
    expect(x0?.kind === 'numeric' && [x0.min, x0.max, x0.mean]).toEqual([1, 5, 3]);
  });

  it('builds no profiles when set to off', async () => {
    const home = newDir();
    const logDir = join(home, 'log');
    const { stop, url } = await serve(home, [
      '--inference-log',
      logDir,
      '--inference-log-profile-window',
      'off',
    ]);
    await predict(url!, [[1, 2, 3]]);
    await stop!();
    expect(jsonFiles(logDir)).toEqual([]);
  });

  it('refuses a window that is not a duration, naming the flag', async () => {
    const home = newDir();
    const r = await serve(home, ['--inference-log', home, '--inference-log-profile-window', 'hourly']);
    expect(r.exitCode).toBe(1);
    expect(r.err).toContain(
      "Invalid value for '--inference-log-profile-window': expected a duration like '1m'",
    );
    expect(r.stop).toBeUndefined();
  });
});
