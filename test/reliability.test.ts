/**
 * Reliability, end to end against the real `slipway server` process (the compiled CLI in dist/):
 * acknowledged writes survive `kill -9`, concurrent writers to one SQLite run all succeed, and the
 * HTTP edge refuses path traversal, oversized uploads, malformed JSON and unknown runs cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'slipway.js');
const LOGREG = readFileSync(join(ROOT, 'test/fixtures/models/logreg.onnx'));
const MLFLOW = '/api/2.0/mlflow';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';

type Json = Record<string, unknown> & { error_code?: string; message?: string };
interface Reply {
  status: number;
  body: Json;
}

interface ServerProcess {
  url: string;
  /** Everything the process printed, for failure messages. */
  output(): string;
  /** `kill -9`: no shutdown hooks, no flushing. */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `slipway server` on a free port over `home` and waits until /readyz answers 200. */
async function startServer(home: string, extraArgs: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CLI, 'server', '--port', String(port), '--home', home, ...extraArgs],
    {
      cwd: ROOT,
      env: { ...process.env, SLIPWAY_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: ServerProcess = {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      running.delete(child);
    },
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`slipway server exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${server.url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return server;
    await new Promise((r) => setTimeout(r, 50));
  }
  await server.kill();
  throw new Error(`slipway server did not become ready within 20 s:\n${output}`);
}

async function call(server: ServerProcess, method: string, path: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

/** Like `call`, but fails the test with the server's answer unless it is 200. */
async function ok(server: ServerProcess, method: string, path: string, body?: unknown): Promise<Json> {
  const reply = await call(server, method, path, body);
  expect(reply.status, `${method} ${path} → ${JSON.stringify(reply.body)}`).toBe(200);
  return reply.body;
}

/** A request whose path goes on the wire exactly as written (fetch and URL would normalise `..`). */
function rawRequest(server: ServerProcess, method: string, path: string, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/`, { method, path }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Json) : {} }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

type MetricJson = { key: string; value: number; timestamp: number; step: number };
const history = async (server: ServerProcess, runId: string, key: string) =>
  ((await ok(server, 'GET', `${MLFLOW}/metrics/get-history?run_id=${runId}&metric_key=${key}`)).metrics ??
    []) as MetricJson[];
const runData = async (server: ServerProcess, runId: string) => {
  const { run } = (await ok(server, 'GET', `${MLFLOW}/runs/get?run_id=${runId}`)) as {
    run: { data: { params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] } };
  };
  return {
    params: Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value])),
    tags: Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value])),
  };
};
const createRun = async (server: ServerProcess, experimentId: string) =>
  (
    (await ok(server, 'POST', `${MLFLOW}/runs/create`, { experiment_id: experimentId })) as {
      run: { info: { run_id: string } };
    }
  ).run.info.run_id;

describe('slipway server reliability', () => {
  let tmp: string;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'index.js')))
      throw new Error(
        'dist/ is missing: run `npm run build` first (`npm test` builds before running vitest)',
      );
    tmp = await mkdtemp(join(tmpdir(), 'slipway-reliability-'));
  });
  afterAll(async () => {
    // Servers a failed test left behind.
    for (const child of running) child.kill('SIGKILL');
    running.clear();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('keeps every acknowledged write after the server is killed with SIGKILL', async () => {
    const home = join(tmp, 'durable');
    let server = await startServer(home);
    const { experiment_id: experimentId } = (await ok(server, 'POST', `${MLFLOW}/experiments/create`, {
      name: 'durability',
    })) as { experiment_id: string };
    const runIds = [await createRun(server, experimentId), await createRun(server, experimentId)];
    const logged = new Map<string, MetricJson[]>();
    for (const [r, runId] of runIds.entries()) {
      await ok(server, 'POST', `${MLFLOW}/runs/log-batch`, {
        run_id: runId,
        params: [{ key: 'lr', value: `0.0${r + 1}` }],
        tags: [{ key: 'team', value: 'risk' }],
      });
      for (let step = 0; step < 25; step++) {
        const metrics = ['loss', 'acc'].map((key) => ({
          key,
          value: step / (r + 10),
          timestamp: 1_000 + step,
          step,
        }));
        await ok(server, 'POST', `${MLFLOW}/runs/log-batch`, { run_id: runId, metrics });
        for (const m of metrics)
          logged.set(`${runId}/${m.key}`, [...(logged.get(`${runId}/${m.key}`) ?? []), m]);
      }
    }
    const modelPath = `${experimentId}/${runIds[0]}/artifacts/model/model.onnx`;
    const put = await fetch(`${server.url}${ARTIFACTS}/${modelPath}`, { method: 'PUT', body: LOGREG });
    expect(put.status).toBe(200);
    await ok(server, 'POST', `${MLFLOW}/registered-models/create`, { name: 'scorer' });
    for (const runId of runIds)
      await ok(server, 'POST', `${MLFLOW}/model-versions/create`, {
        name: 'scorer',
        source: `runs:/${runId}/model`,
        run_id: runId,
      });
    await ok(server, 'POST', `${MLFLOW}/registered-models/alias`, {
      name: 'scorer',
      alias: 'champion',
      version: '2',
    });

    await server.kill();
    server = await startServer(home);

    for (const [r, runId] of runIds.entries()) {
      expect(await runData(server, runId)).toMatchObject({
        params: { lr: `0.0${r + 1}` },
        tags: { team: 'risk' },
      });
      for (const key of ['loss', 'acc'])
        expect(await history(server, runId, key)).toEqual(logged.get(`${runId}/${key}`));
    }
    const versions = (await ok(server, 'GET', `${MLFLOW}/model-versions/search?filter=name%3D%27scorer%27`))
      .model_versions as { version: string; run_id: string }[];
    expect(versions.map((v) => [v.version, v.run_id]).sort()).toEqual([
      ['1', runIds[0]],
      ['2', runIds[1]],
    ]);
    const champion = await ok(server, 'GET', `${MLFLOW}/registered-models/alias?name=scorer&alias=champion`);
    expect(champion.model_version).toMatchObject({ version: '2' });
    const model = await fetch(`${server.url}${ARTIFACTS}/${modelPath}`);
    expect(Buffer.from(await model.arrayBuffer())).toEqual(LOGREG);
    await server.kill();
  });

  describe('on one server', () => {
    let server: ServerProcess;
    let experimentId: string;
    const home = () => join(tmp, 'a', 'b', 'home');

    beforeAll(async () => {
      server = await startServer(home());
      ({ experiment_id: experimentId } = (await ok(server, 'POST', `${MLFLOW}/experiments/create`, {
        name: 'shared',
      })) as { experiment_id: string });
    });
    afterAll(async () => {
      await server?.kill();
    });

    it('accepts 16 concurrent writers to one run on SQLite without losing or refusing a write', async () => {
      const runId = await createRun(server, experimentId);
      const failures: string[] = [];
      const writer = async (w: number) => {
        for (let i = 0; i < 50; i++) {
          const reply = await call(server, 'POST', `${MLFLOW}/runs/log-batch`, {
            run_id: runId,
            metrics: [
              { key: `w${w}_loss`, value: i, timestamp: 1_000 + i, step: i },
              { key: 'shared', value: w, timestamp: 1_000 + i, step: w * 50 + i },
            ],
            params: [{ key: `w${w}_p${i}`, value: String(i) }],
            tags: [{ key: `w${w}_progress`, value: String(i) }],
          });
          if (reply.status !== 200)
            failures.push(`writer ${w} #${i}: ${reply.status} ${JSON.stringify(reply.body)}`);
        }
      };
      await Promise.all(Array.from({ length: 16 }, (_, w) => writer(w)));
      expect(failures).toEqual([]);

      for (let w = 0; w < 16; w++)
        expect((await history(server, runId, `w${w}_loss`)).map((m) => m.step)).toEqual([
          ...Array(50).keys(),
        ]);
      expect(await history(server, runId, 'shared')).toHaveLength(800);
      const { params, tags } = await runData(server, runId);
      expect(Object.keys(params)).toHaveLength(800);
      for (let w = 0; w < 16; w++) expect(tags[`w${w}_progress`]).toBe('49');
    });

    it('refuses artifact paths that climb out of the store, and writes nothing outside it', async () => {
      // The file a traversal from the artifact root (home/artifacts) would reach.
      await mkdir(join(tmp, 'a', 'etc'), { recursive: true });
      await writeFile(join(tmp, 'a', 'etc', 'passwd'), 'secret');
      const attempts = [
        `${ARTIFACTS}/..%2f..%2fetc/passwd`,
        `${ARTIFACTS}/..%2F..%2F..%2Fetc/passwd`,
        `${ARTIFACTS}/%2e%2e/x`,
        `${ARTIFACTS}/%2e%2e%2f%2e%2e%2fescaped.txt`,
        `${ARTIFACTS}/../../escaped.txt`,
        `${ARTIFACTS}/${experimentId}/../../../etc/passwd`,
      ];
      for (const path of attempts) {
        for (const method of ['PUT', 'GET']) {
          const reply = await rawRequest(
            server,
            method,
            path,
            method === 'PUT' ? Buffer.from('pwned') : undefined,
          );
          expect(reply.status, `${method} ${path} → ${JSON.stringify(reply.body)}`).toBe(400);
          expect(reply.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.any(String) });
        }
      }
      expect(readFileSync(join(tmp, 'a', 'etc', 'passwd'), 'utf8')).toBe('secret');
      const outside = filesUnder(join(tmp, 'a')).filter((f) => !f.startsWith('b/home/'));
      expect(outside).toEqual(['etc/passwd']);
      const stored = filesUnder(join(home(), 'artifacts'));
      expect(stored.filter((f) => /passwd|escaped|(^|\/)x$/.test(f))).toEqual([]);
    });

    it('answers malformed JSON with 400 and an MLflow error body', async () => {
      const res = await fetch(`${server.url}${MLFLOW}/runs/log-batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"run_id": "abc", "metrics": [',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error_code: expect.any(String),
        message: expect.stringMatching(/JSON/),
      });
    });

    it('answers an unknown run id with 404 RESOURCE_DOES_NOT_EXIST', async () => {
      const missing = 'f'.repeat(32);
      for (const [method, path, body] of [
        ['GET', `${MLFLOW}/runs/get?run_id=${missing}`, undefined],
        [
          'POST',
          `${MLFLOW}/runs/log-batch`,
          { run_id: missing, metrics: [{ key: 'a', value: 1, timestamp: 1 }] },
        ],
      ] as const) {
        const reply = await call(server, method, path, body);
        expect(reply.status).toBe(404);
        expect(reply.body).toEqual({
          error_code: 'RESOURCE_DOES_NOT_EXIST',
          message: expect.stringContaining(missing),
        });
      }
    });
  });

  it('refuses an artifact upload over --max-upload-bytes with 413, declared or streamed', async () => {
    const server = await startServer(join(tmp, 'limited'), ['--max-upload-bytes', '1024']);
    const path = `${ARTIFACTS}/0/some-run/artifacts/big.bin`;
    const small = await fetch(`${server.url}${ARTIFACTS}/0/some-run/artifacts/small.bin`, {
      method: 'PUT',
      body: Buffer.alloc(512),
    });
    expect(small.status).toBe(200);

    const declared = await fetch(`${server.url}${path}`, { method: 'PUT', body: Buffer.alloc(2048) });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error_code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) });

    // No Content-Length: the limit must hold while streaming, too.
    const chunks = [Buffer.alloc(700), Buffer.alloc(700)];
    const streamed = await fetch(`${server.url}${path}`, {
      method: 'PUT',
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await fetch(`${server.url}${path}`)).status).toBe(404);
    await server.kill();
  });
});

/** Every file under `dir`, as `/`-separated paths relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}
