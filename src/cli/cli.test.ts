/**
 * End to end: the built `slipway` binary as a child process, against a real `slipway server`.
 * Needs `npm run build` first (`npm test` does it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Slipway } from '../sdk/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'slipway.js');
const fixture = join(root, 'test', 'fixtures', 'models', 'mlflow_onnx_model');
const TOKEN = 'cli-test-token';

/** The caller's environment without settings that would change what the CLI does. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(SLIPWAY_|MLFLOW_|AWS_)/.test(k)),
  );
  return { ...env, ...extra };
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let workDir: string;

function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: workDir, env: cleanEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Server {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `slipway server` and waits for its "listening" line. */
function startServer(args: string[], env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, [bin, 'server', ...args], {
    cwd: workDir,
    env: cleanEnv({ SLIPWAY_LOG_LEVEL: 'warn', ...env }),
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stdout}\n${stderr}`)), 20_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      const m = /Slipway listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], stdout: () => stdout, stderr: () => stderr, exited });
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
}

describe('the slipway CLI', () => {
  let home: string;
  let server: Server;
  let baselineId: string;
  let tunedId: string;
  let experimentId: string;
  const remote = () => ['--tracking-uri', server.url, '--token', TOKEN];

  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'cli', 'index.js'))) {
      throw new Error(
        'dist/cli/index.js is missing: run `npm run build` before these tests (npm test does).',
      );
    }
    workDir = mkdtempSync(join(tmpdir(), 'slipway-cli-'));
    home = join(workDir, 'home');
    server = await startServer(['--port', '0', '--home', home], { SLIPWAY_AUTH_TOKENS: `admin:${TOKEN}` });

    const client = Slipway.connect(server.url, { token: TOKEN });
    const exp = await client.experiments.create({ name: 'cli-exp' });
    experimentId = exp.experimentId;
    const run = async (name: string, acc: number, lr: string) => {
      const r = await client.runs.create({
        experimentId,
        runName: name,
        tags: [{ key: 'mlflow.source.git.commit', value: 'abc1234def' }],
      });
      await client.runs.logBatch(r.info.runId, {
        metrics: [
          { key: 'acc', value: acc - 0.2, timestamp: Date.now(), step: 0 },
          { key: 'acc', value: acc, timestamp: Date.now(), step: 1 },
        ],
        params: [{ key: 'lr', value: lr }],
      });
      await client.runs.end(r.info.runId);
      return r.info.runId;
    };
    baselineId = await run('baseline', 0.91, '0.01');
    tunedId = await run('tuned', 0.95, '0.001');
    for (const file of ['MLmodel', 'model.onnx']) {
      await client.runs.uploadArtifact(tunedId, `model/${file}`, readFileSync(join(fixture, file)));
    }
    await client.models.create({ name: 'cli-model', description: 'fraud detector' });
    await client.models.createVersion({
      name: 'cli-model',
      source: `runs:/${tunedId}/model`,
      runId: tunedId,
    });
    await client.models.setAlias('cli-model', 'champion', '1');
    await client.close();
  });

  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('prints the port it actually bound when started with --port 0', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url.endsWith(':0')).toBe(false);
    expect(server.stdout()).toContain(
      `(metadata: sqlite:///${home}/slipway.db, artifacts: file://${home}/artifacts)`,
    );
  });

  it('prints its version', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const r = await cli(['--version']);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('lists experiments as a table', async () => {
    const r = await cli(['experiments', 'list', ...remote()]);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^\s*ID\s+NAME\s+CREATED\s+LAST UPDATED\s+ARTIFACT LOCATION$/);
    expect(rows.some((row) => row.includes('cli-exp'))).toBe(true);
    expect(rows.some((row) => row.includes('Default'))).toBe(true);
  });

  it('lists experiments as JSON with --json', async () => {
    const r = await cli(['experiments', 'list', '--json', ...remote()]);
    const list = JSON.parse(r.stdout) as { name: string }[];
    expect(list.map((e) => e.name)).toContain('cli-exp');
  });

  it('shows an experiment by name and by id', async () => {
    const byName = await cli(['experiments', 'show', 'cli-exp', ...remote()]);
    expect(byName.stdout).toMatch(new RegExp(`ID:\\s+${experimentId}\\n`));
    const byId = await cli(['experiments', 'show', experimentId, '--json', ...remote()]);
    expect(JSON.parse(byId.stdout)).toMatchObject({ name: 'cli-exp', lifecycleStage: 'active' });
  });

  it('exits 1 with a message naming the experiment when it does not exist', async () => {
    const r = await cli(['experiments', 'show', 'nope', ...remote()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*'nope'/);
    expect(r.stdout).toBe('');
  });

  it('lists runs ordered by a metric, with a column for it', async () => {
    const r = await cli([
      'runs',
      'list',
      '--experiment',
      'cli-exp',
      '--order-by',
      'metrics.acc DESC',
      ...remote(),
    ]);
    expect(r.code).toBe(0);
    const [header, first, second] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/RUN ID\s+NAME\s+STATUS\s+STARTED\s+DURATION\s+acc$/);
    expect(first).toContain(tunedId);
    expect(first).toMatch(/tuned\s+FINISHED.*0\.95$/);
    expect(second).toContain(baselineId);
  });

  it('filters runs with the MLflow search language', async () => {
    const r = await cli([
      'runs',
      'list',
      '--experiment',
      experimentId,
      '--filter',
      "params.lr = '0.01'",
      '--json',
      ...remote(),
    ]);
    const runs = JSON.parse(r.stdout) as { info: { runId: string } }[];
    expect(runs.map((x) => x.info.runId)).toEqual([baselineId]);
  });

  it('shows a run with its params, latest metrics with their curve, and tags', async () => {
    const r = await cli(['runs', 'show', baselineId, ...remote()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Name:\s+baseline/);
    expect(r.stdout).toMatch(/Params\nKEY\s+VALUE\nlr\s+0\.01\n/);
    expect(r.stdout).toMatch(
      /Metrics \(latest\)\nKEY\s+VALUE\s+STEP\s+LOGGED\s+HISTORY\nacc\s+0\.91\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+▁█ \(2 pts\)\n/,
    );
    expect(r.stdout).toMatch(/mlflow\.source\.git\.commit\s+abc1234def/);
  });

  it('lists registered models with their aliases', async () => {
    const r = await cli(['models', 'list', ...remote()]);
    expect(r.stdout).toMatch(/NAME\s+LATEST\s+ALIASES/);
    expect(r.stdout).toMatch(/cli-model\s+1\s+champion→v1\s+.*fraud detector/);
  });

  it('shows a model with its versions, stages and sources', async () => {
    const r = await cli(['models', 'show', 'cli-model', ...remote()]);
    expect(r.stdout).toMatch(/Description:\s+fraud detector/);
    expect(r.stdout).toMatch(/Versions\nVERSION\s+STAGE\s+STATUS\s+ALIASES/);
    expect(r.stdout).toMatch(new RegExp(`\\b1\\s+None\\s+READY\\s+champion\\s+.*runs:/${tunedId}/model`));
  });

  it('shows the version an alias points to, with its lineage', async () => {
    const r = await cli(['models', 'show', 'cli-model@champion', ...remote()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Version:\s+1\n/);
    expect(r.stdout).toMatch(/Content hash:\s+sha256:[0-9a-f]{64}/);
    expect(r.stdout).toMatch(/Git commit:\s+abc1234def/);
    expect(r.stdout).toMatch(/input\s+input\s+float32\s+\[\?, 20\]/);
    expect(r.stdout).toMatch(/output\s+probability\s+float32\s+\[\?, 1\]/);
  });

  it('shows a version by number as JSON', async () => {
    const r = await cli(['models', 'show', 'cli-model/1', '--json', ...remote()]);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'cli-model', version: '1', aliases: ['champion'] });
  });

  it('reads the tracking URI and token from the MLflow environment variables', async () => {
    const r = await cli(['models', 'list'], {
      MLFLOW_TRACKING_URI: server.url,
      MLFLOW_TRACKING_TOKEN: TOKEN,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cli-model');
  });

  it('exits 1 when the server wants a token and none is given', async () => {
    const r = await cli(['experiments', 'list', '--tracking-uri', server.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Authentication required/);
  });

  it('reads the stores in-process when no tracking URI is given', async () => {
    const r = await cli(['runs', 'list', '--experiment', 'cli-exp', '--home', home]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(tunedId);
  });

  it('refuses to read a home that holds no store', async () => {
    const r = await cli(['experiments', 'list', '--home', join(workDir, 'missing')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: No Slipway store at .*missing/);
    expect(existsSync(join(workDir, 'missing'))).toBe(false);
  });

  it('exits 1 on an unknown command', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('warns when serving a non-loopback address without tokens', async () => {
    const open = await startServer(['--host', '0.0.0.0', '--port', '0', '--home', join(workDir, 'open')]);
    open.child.kill('SIGTERM');
    expect(await open.exited).toBe(0);
    expect(open.stderr()).toMatch(/warning: listening on 0\.0\.0\.0 with no auth tokens/);
  });

  it("prints one listening line at the default log level, not Fastify's JSON one too", async () => {
    const plain = await startServer(['--port', '0', '--home', join(workDir, 'plain')], {
      SLIPWAY_LOG_LEVEL: 'info',
    });
    plain.child.kill('SIGTERM');
    expect(await plain.exited).toBe(0);
    expect(plain.stdout().trim().split('\n')).toEqual([expect.stringMatching(/^Slipway listening on http:/)]);
  });

  it('stops cleanly on SIGTERM', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
