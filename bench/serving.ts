/**
 * `npm run bench -- serving [--duration N] [--rounds N] [--quick] [--only echo,naive,raw,slipway]`: online
 * inference under autocannon, side by side in one run —
 *   (a) echo: Fastify parsing the same JSON and answering a fixed body (the transport ceiling),
 *   (b) naive: node:http + one ONNX Runtime session on the main thread (what users write themselves),
 *   (c) raw ONNX Runtime in worker threads, no HTTP (the compute ceiling),
 *   (d) Slipway (`slipway serve --model-repository`), as users run it.
 * Every server runs in its own child process; autocannon runs in this one. Each scenario alternates
 * between the servers for several rounds and reports medians.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChildServer, startChildServer } from './lib/child-process.js';
import { type LoadResult, measureLoad } from './lib/load.js';
import { writeResults } from './lib/report.js';
import { freePort } from './lib/server-process.js';
import { maxAbsDiff, probe } from './serving/probe.js';
import { computeRatios, type Measured, RAW } from './serving/ratios.js';
import { type Detailed, printServingReport } from './serving/report.js';
import { type HttpCase, httpCases, SCENARIOS, type ServerName } from './serving/scenarios.js';

const FIXTURES = 'test/fixtures/serving';
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

interface Options {
  duration: number;
  warmup: number;
  /** Measured runs per server and scenario, alternating between servers; medians are reported. */
  rounds: number;
  only: Set<string>;
}

/**
 * The median of several runs: the run with the median throughput, with its latencies replaced by the
 * medians of each percentile (and its error counts by the sums), so one slow minute moves nothing.
 */
export function medianRun(runs: LoadResult[]): LoadResult {
  const med = (f: (r: LoadResult) => number) => {
    const v = runs.map(f).sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)];
  };
  const byRate = [...runs].sort((a, b) => a.reqPerSec - b.reqPerSec)[Math.floor(runs.length / 2)];
  const sum = (f: (r: LoadResult) => number) => runs.reduce((n, r) => n + f(r), 0);
  return {
    ...byRate,
    p50: med((r) => r.p50),
    p99: med((r) => r.p99),
    mean: med((r) => r.mean),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
  };
}

/** The value after `flag` in `args`, if any. */
function flagValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

/** `--duration S`, `--rounds N` and `--quick` (2 s, 1 round): how long and how often each load runs. */
export function parseRoundOptions(args: string[]): { duration: number; warmup: number; rounds: number } {
  const quick = args.includes('--quick');
  const duration = Number(flagValue(args, '--duration') ?? (quick ? 2 : 6));
  const rounds = Number(flagValue(args, '--rounds') ?? (quick ? 1 : 3));
  if (!(Number.isInteger(rounds) && rounds > 0)) throw new Error('--rounds takes a positive integer');
  if (!(duration > 0)) throw new Error('--duration takes a positive number of seconds');
  return { duration, warmup: quick ? 1 : 2, rounds };
}

function parseOptions(args: string[]): Options {
  const only = new Set((flagValue(args, '--only') ?? 'echo,naive,raw,slipway').split(','));
  return { ...parseRoundOptions(args), only };
}

/** The Triton-style folder Slipway (and the naive server) load: `<dir>/<model>/1/model.onnx`, no config. */
function makeRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-serving-'));
  for (const name of ['mlp', 'logreg']) {
    mkdirSync(join(dir, name, '1'), { recursive: true });
    copyFileSync(join(FIXTURES, `${name}.onnx`), join(dir, name, '1', 'model.onnx'));
  }
  return dir;
}

async function startServerNamed(server: ServerName, repo: string): Promise<ChildServer> {
  const port = await freePort();
  const tsx = (script: string, ...rest: string[]) => ['--import', 'tsx', here(script), String(port), ...rest];
  if (server === 'echo') {
    return startChildServer({ args: tsx('./serving/echo-server.ts'), port, readyPath: '/healthz' });
  }
  if (server === 'naive') {
    return startChildServer({ args: tsx('./serving/naive-server.ts', repo), port, readyPath: '/healthz' });
  }
  const args = [
    'bin/slipway.js',
    'serve',
    '--model-repository',
    repo,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
  ];
  return startChildServer({ args, port, readyPath: '/readyz' });
}

interface RawOutput {
  workers: number;
  results: Array<Measured & { rows: number; concurrency: number }>;
}

/** Runs raw-ort.ts in its own process and returns what it printed. */
function runRawOrt(opts: Options, plan: Array<{ rows: number; concurrency: number }>): Promise<RawOutput> {
  const args = ['--import', 'tsx', here('./serving/raw-ort.ts'), join(FIXTURES, 'mlp.onnx')];
  const child = spawn(
    process.execPath,
    [...args, String(opts.duration), String(opts.warmup), JSON.stringify(plan)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`raw-ort.ts exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as RawOutput);
    });
  });
}

export async function run(args: string[] = []): Promise<void> {
  const opts = parseOptions(args);
  const repo = makeRepository();
  const measurements: Detailed[] = [];
  const checks: string[] = [];
  /** The naive server's outputs per payload: the reference Slipway's must match. */
  const reference = new Map<string, Float32Array>();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const servers = new Map<ServerName, ChildServer>();
  try {
    const cases = httpCases().filter((c) => opts.only.has(c.server));
    const fail = (c: HttpCase, why: string) =>
      measurements.push({
        scenario: c.scenario.id,
        label: c.label,
        server: c.server,
        concurrency: c.scenario.connections,
        failed: why,
      });
    // All servers up at once (an idle one costs nothing), so each scenario can alternate between
    // them round after round: on a shared machine a single run per server can land in a slow
    // minute for one and a fast one for another.
    for (const server of ['echo', 'naive', 'slipway'] as const) {
      if (!cases.some((c) => c.server === server)) continue;
      try {
        servers.set(server, await startServerNamed(server, repo));
      } catch (err) {
        for (const c of cases.filter((x) => x.server === server)) {
          fail(c, `server did not start: ${err instanceof Error ? err.message : err}`);
        }
      }
    }
    const runnable: HttpCase[] = [];
    for (const c of cases) {
      const proc = servers.get(c.server);
      if (!proc) continue;
      const s = c.scenario;
      const p = await probe(`http://127.0.0.1:${proc.port}`, c);
      if (!p.ok || !p.outputs) {
        fail(c, `probe: ${p.detail}`);
        continue;
      }
      const key = `${s.model.name}/${s.rows}`;
      if (c.server === 'naive') reference.set(key, p.outputs);
      const ref = reference.get(key);
      if (c.server === 'slipway' && ref) {
        // Both run the same ONNX graph on the same floats; only kernel choice may differ.
        const d = maxAbsDiff(p.outputs, ref);
        const verdict = d <= 1e-4 ? 'same outputs' : 'OUTPUTS DIFFER';
        checks.push(`${c.label}, ${s.title}: ${verdict} as naive (max |Δ| ${d.toExponential(1)})`);
      }
      runnable.push(c);
    }
    const rounds = new Map<HttpCase, { runs: LoadResult[]; load1: number[] }>();
    for (let round = 0; round < opts.rounds; round++) {
      for (const c of runnable) {
        const proc = servers.get(c.server) as ChildServer;
        const s = c.scenario;
        log(`round ${round + 1}/${opts.rounds} · ${c.server} · ${s.title} · ${c.label} …`);
        const load1 = loadavg()[0];
        const result = await measureLoad({
          url: `http://127.0.0.1:${proc.port}${c.path}`,
          connections: s.connections,
          duration: opts.duration,
          // JIT and sessions are warm after the first round.
          warmup: round === 0 ? opts.warmup : Math.min(opts.warmup, 1),
          headers: c.headers,
          body: c.body,
          rows: s.rows,
        });
        const entry = rounds.get(c) ?? { runs: [], load1: [] };
        entry.runs.push(result);
        entry.load1.push(load1);
        rounds.set(c, entry);
      }
    }
    for (const [c, { runs, load1 }] of rounds) {
      const result = medianRun(runs);
      measurements.push({
        scenario: c.scenario.id,
        label: c.label,
        server: c.server,
        concurrency: c.scenario.connections,
        result,
        load: result,
        load1: Math.max(...load1),
        rounds: runs.map((r) => ({ reqPerSec: r.reqPerSec, p50: r.p50, p99: r.p99 })),
      });
    }
    if (opts.only.has('raw')) {
      const plan = SCENARIOS.flatMap((s) =>
        s.rawConcurrency.map((concurrency) => ({ id: s.id, rows: s.rows, concurrency })),
      );
      log(`raw ORT · ${plan.length} closed loops in a child process …`);
      const load1 = loadavg()[0];
      const raw = await runRawOrt(opts, plan);
      for (const [i, r] of raw.results.entries()) {
        measurements.push({
          scenario: plan[i].id,
          label: RAW,
          server: 'raw',
          concurrency: r.concurrency,
          result: r,
          load1,
        });
      }
      checks.push(`raw ORT: ${raw.workers} worker threads (1 intra-op thread each), in its own process`);
    }
  } finally {
    for (const proc of servers.values()) await proc.stop();
    rmSync(repo, { recursive: true, force: true });
  }

  const find = (scenario: string, label: string, concurrency?: number) =>
    measurements.find(
      (m) =>
        m.scenario === scenario &&
        m.label === label &&
        (concurrency === undefined || m.concurrency === concurrency),
    )?.result;
  const ratios = computeRatios(find);
  const machine = {
    cpus: cpus().length,
    availableParallelism: availableParallelism(),
    cpuModel: cpus()[0]?.model,
    node: process.version,
    ...Object.fromEntries(
      ['fastify', 'onnxruntime-node', 'autocannon'].map((p) => [
        p,
        (JSON.parse(readFileSync(`node_modules/${p}/package.json`, 'utf8')) as { version: string }).version,
      ]),
    ),
  };

  console.log(
    `\nserving: median of ${opts.rounds} rounds of ${opts.duration} s per server and scenario (servers alternate), after a ${opts.warmup} s warmup; ${JSON.stringify(machine)}`,
  );
  console.log(
    'latency: percentiles of every response time autocannon measured (not its whole-ms histogram)\n',
  );
  printServingReport(measurements, ratios, checks);
  const file = writeResults('serving', {
    machine,
    options: { ...opts, only: [...opts.only] },
    measurements,
    ratios,
    checks,
  });
  console.log(`\nwrote ${file}`);
}
