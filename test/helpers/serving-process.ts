/**
 * `slipway serve` as a child process, for end-to-end serving tests.
 * Inputs: a model repository folder (usually a temp copy of the fixture models, made with
 * `copyFixtureModels`) and extra CLI flags. Output: the base URL, the child's pid (for its RSS),
 * everything it printed, and `stop()`. Also a small keep-alive HTTP client whose requests never
 * throw: a transport failure comes back as `status: 0` with the error, so load loops can count it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin', 'slipway.js');
/** The checked-in Triton-style repository (see test/fixtures/serving/make_serving_models.py). */
export const FIXTURE_REPOSITORY = join(ROOT, 'test', 'fixtures', 'serving', 'repository');

/** Keep the tail of the child's output only: a fuzz run can make it log thousands of lines. */
const MAX_OUTPUT_CHARS = 256 * 1024;

export interface ServingProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  pid: number;
  /** The tail of everything the process printed (stdout and stderr), for failure messages. */
  output(): string;
  /** True until the process exits. */
  alive(): boolean;
  /** Resident set size of the process now, in bytes (Linux: /proc/<pid>/status VmRSS). */
  rssBytes(): number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
}

export interface StartServingOptions {
  /** `--model-repository`; leave out to serve only what `args` names (e.g. `--model fraud@champion`). */
  repository?: string;
  /** Extra flags after `serve --model-repository DIR --port 0`. */
  args?: string[];
  /** Environment over this process's (e.g. SLIPWAY_AUTH_TOKENS). */
  env?: Record<string, string>;
  /**
   * Models that must answer `GET /v2/models/{m}/ready` with 200 before this resolves. Without it,
   * `/readyz` must answer 200 (every model in the repository ready).
   */
  models?: string[];
  /** How long to wait for the process to listen and the models to be ready (default 30 s). */
  timeoutMs?: number;
}

const running = new Set<ChildProcess>();
// A test that throws before its `stop()` must not leave a server running after the worker exits.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** VmRSS of a live process, in bytes. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb[1]) * 1024;
}

/** A fresh temp folder holding copies of the named fixture models (so tests may add versions). */
export async function copyFixtureModels(models: string[], into?: string): Promise<string> {
  const dir = into ?? (await mkdtemp(join(tmpdir(), 'slipway-serving-repo-')));
  for (const m of models) await cp(join(FIXTURE_REPOSITORY, m), join(dir, m), { recursive: true });
  return dir;
}

/**
 * Spawns `node bin/slipway.js serve --model-repository DIR --port 0` (the kernel picks a free
 * port; the URL is read from the line the command prints once it listens) and waits until the
 * models are ready. Throws with the process output if it exits or is not ready in time.
 *
 * @example
 * const server = await startServing({ repository, args: ['--max-queue-size', '32'], models: ['mlp'] });
 * await fetch(`${server.url}/v2/models/mlp/ready`);
 * await server.stop();
 */
export async function startServing(opts: StartServingOptions): Promise<ServingProcess> {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (`npm test` builds before running vitest)');
  }
  const child = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      ...(opts.repository ? ['--model-repository', opts.repository] : []),
      '--port',
      '0',
      ...(opts.args ?? []),
    ],
    { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString('utf8');
    if (output.length > MAX_OUTPUT_CHARS) output = output.slice(-MAX_OUTPUT_CHARS / 2);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const isAlive = () => child.exitCode === null && child.signalCode === null;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (isAlive()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
    })();
    return stopping;
  };

  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const fail = async (why: string): Promise<never> => {
    await stop();
    throw new Error(`slipway serve ${why}:\n${output}`);
  };
  let url: string | undefined;
  while (Date.now() < deadline) {
    if (!isAlive()) return fail(`exited with ${child.exitCode ?? child.signalCode}`);
    url ??= /Slipway serving .* on (http:\/\/\S+)/.exec(output)?.[1];
    if (url && (await isReady(url, opts.models))) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!url || !(await isReady(url, opts.models))) return fail(`was not ready within ${timeoutMs} ms`);
  const pid = child.pid as number;
  return {
    url,
    pid,
    output: () => output,
    alive: isAlive,
    rssBytes: () => rssOf(pid),
    stop,
  };
}

async function isReady(url: string, models: string[] | undefined): Promise<boolean> {
  const paths = models ? models.map((m) => `/v2/models/${m}/ready`) : ['/readyz'];
  for (const path of paths) {
    const ok = await fetch(`${url}${path}`).then(
      async (r) => {
        await r.arrayBuffer();
        return r.status === 200;
      },
      () => false,
    );
    if (!ok) return false;
  }
  return true;
}

export interface HttpReply {
  /** 0 when no response arrived (see `error`). */
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Milliseconds from sending to the last byte of the response. */
  ms: number;
  /** The transport error, when there was no response. */
  error?: string;
}

export interface HttpRequest {
  method?: string;
  path: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
}

/**
 * A keep-alive HTTP/1.1 client for load and fuzz loops (node:http: lighter than fetch per request,
 * and it sends header values fetch would refuse). `maxSockets` bounds the connections it opens.
 */
export class HttpClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, maxSockets = 32) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  send(req: HttpRequest): Promise<HttpReply> {
    const started = performance.now();
    const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
    return new Promise((resolve) => {
      let settled = false;
      const done = (r: Omit<HttpReply, 'ms'>) => {
        if (settled) return;
        settled = true;
        resolve({ ...r, ms: performance.now() - started });
      };
      const headers: Record<string, string | number> = { ...req.headers };
      if (body !== undefined) headers['content-length'] = body.length;
      const r = request(
        {
          host: this.host,
          port: this.port,
          path: req.path,
          method: req.method ?? 'POST',
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            done({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString(),
            }),
          );
          res.on('error', (err) => done({ status: 0, headers: {}, text: '', error: err.message }));
        },
      );
      r.on('error', (err) => done({ status: 0, headers: {}, text: '', error: err.message }));
      r.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
