/**
 * What inference logging and profiling cost serving: the MLP of the serving benchmark (batch 1,
 * TF Serving JSON, 64 connections) served by `slipway serve` side by side in one run —
 *   (a) no inference log, and an identical A/A control server (the noise floor),
 *   (b) `--inference-log` at 100 % sampling, profiles off (`--inference-log-profile-window off`),
 *   (c) `--inference-log` at 100 % sampling with profiles (1-minute windows, JSON sidecars),
 *   (d) the same at 10 % sampling (`--inference-log-sample-rate 0.1`),
 * in rounds whose order rotates, each run on a freshly started server (medians of `--rounds`,
 * default one per variant). Prints req/s and
 * p99 per variant and their ratios to (a), what the logs wrote and dropped
 * (`slipway_inference_log_dropped_total`), and writes JSON under bench/results/. Target (issue 5):
 * (c) costs ≤ 5 % of (a)'s throughput.
 *
 *   npm run bench -- monitoring --only serving   [--duration 6] [--rounds 5] [--quick]
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryInferenceLog } from '../../src/monitoring/inference-log/index.js';
import { type ChildServer, startChildServer } from '../lib/child-process.js';
import { type LoadResult, measureLoad } from '../lib/load.js';
import { printTable, type Row, writeResults } from '../lib/report.js';
import { freePort } from '../lib/server-process.js';
import { probe } from '../serving/probe.js';
import { httpCases } from '../serving/scenarios.js';
import { medianRun, parseRoundOptions } from '../serving.js';

const VARIANTS = [
  { id: 'off', label: 'no inference log', flags: [] as string[] },
  // An A/A control: a second server exactly like 'off'. How far it lands from 'off' is the noise
  // floor of this machine (with long-lived servers it once measured 0.88 of 'off').
  { id: 'control', label: 'no inference log (A/A control)', flags: [] as string[] },
  { id: 'log', label: 'log 100 %, no profiles', flags: ['--inference-log-profile-window', 'off'] },
  { id: 'log+profiles', label: 'log 100 % + 1m profiles', flags: ['--inference-log-profile-window', '1m'] },
  {
    id: 'sampled',
    label: 'log 10 % + 1m profiles',
    flags: ['--inference-log-sample-rate', '0.1', '--inference-log-profile-window', '1m'],
  },
] as const;

const logged = (id: string) => id !== 'off' && id !== 'control';

async function droppedTotal(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = /^slipway_inference_log_dropped_total (\S+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

const countFiles = (dir: string, suffix: string) => {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter(
      (e) => e.isFile() && e.name.endsWith(suffix),
    ).length;
  } catch {
    return 0;
  }
};

export async function run(args: string[] = []): Promise<void> {
  const opts = parseRoundOptions(args);
  // One round per variant by default: each runs once in each position.
  if (!args.includes('--rounds') && !args.includes('--quick')) opts.rounds = VARIANTS.length;
  const c = httpCases().find((x) => x.scenario.id === 'mlp-b1-c64' && x.server === 'slipway');
  if (!c) throw new Error('the serving scenarios no longer have mlp-b1-c64 for Slipway');
  const work = mkdtempSync(join(tmpdir(), 'slipway-bench-log-'));
  mkdirSync(join(work, 'models', 'mlp', '1'), { recursive: true });
  copyFileSync('test/fixtures/serving/mlp.onnx', join(work, 'models', 'mlp', '1', 'model.onnx'));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const servers = new Map<string, ChildServer>();
  const runs = new Map<string, LoadResult[]>(VARIANTS.map((v) => [v.id, []]));
  const load1: number[] = [];
  const written: Record<string, { rows: number; segments: number; sidecars: number; dropped: number }> = {};
  const dropped = new Map<string, number>(VARIANTS.map((v) => [v.id, 0]));
  /** A fresh server for one variant (every round starts new ones: a process's own speed varies by ±15 %). */
  const start = async (v: (typeof VARIANTS)[number]): Promise<ChildServer> => {
    const port = await freePort();
    const logFlags = logged(v.id) ? ['--inference-log', join(work, v.id), ...v.flags] : [];
    const args = [
      'bin/slipway.js',
      'serve',
      '--model-repository',
      join(work, 'models'),
      '--port',
      String(port),
    ];
    const server = await startChildServer({
      args: [...args, '--log-level', 'error', ...logFlags],
      port,
      readyPath: '/readyz',
    });
    servers.set(v.id, server);
    const p = await probe(`http://127.0.0.1:${port}`, c);
    if (!p.ok) throw new Error(`${v.label}: probe failed: ${p.detail}`);
    return server;
  };
  try {
    for (let round = 0; round < opts.rounds; round++) {
      // Rotated each round, so that every variant runs in every position equally often (with
      // rounds a multiple of the variants).
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
      for (const v of order) {
        log(`round ${round + 1}/${opts.rounds} · ${v.label} …`);
        const server = await start(v);
        load1.push(loadavg()[0]);
        const result = await measureLoad({
          url: `http://127.0.0.1:${server.port}${c.path}`,
          connections: c.scenario.connections,
          duration: opts.duration,
          warmup: opts.warmup,
          headers: c.headers,
          body: c.body,
          rows: c.scenario.rows,
        });
        runs.get(v.id)!.push(result);
        if (logged(v.id)) dropped.set(v.id, dropped.get(v.id)! + (await droppedTotal(server.port)));
        await server.stop();
        servers.delete(v.id);
      }
    }
    for (const v of VARIANTS) {
      if (!logged(v.id)) continue;
      const dir = join(work, v.id);
      const q = await queryInferenceLog({ dir, model: 'mlp' });
      written[v.id] = {
        rows: await q.count(),
        segments: countFiles(dir, '.parquet'),
        sidecars: countFiles(dir, '.json'),
        dropped: dropped.get(v.id)!,
      };
      q.close();
    }
  } finally {
    for (const proc of servers.values()) await proc.stop();
    rmSync(work, { recursive: true, force: true });
  }

  const medians = new Map(VARIANTS.map((v) => [v.id, medianRun(runs.get(v.id)!)]));
  const base = medians.get('off')!;
  // Each round's throughput against the same round's no-log run (they ran seconds apart), then the
  // median: steadier on a shared machine than a ratio of medians taken from different minutes.
  const pairedRatio = (id: string) => {
    const ratios = runs.get(id)!.map((r, i) => r.reqPerSec / runs.get('off')![i]!.reqPerSec);
    return ratios.sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
  };
  const rows: Row[] = VARIANTS.map((v) => {
    const m = medians.get(v.id)!;
    const w = written[v.id];
    return {
      variant: v.label,
      'req/s': Math.round(m.reqPerSec),
      'vs no log': (m.reqPerSec / base.reqPerSec).toFixed(3),
      'vs no log, paired': pairedRatio(v.id).toFixed(3),
      'p50 ms': m.p50.toFixed(2),
      'p99 ms': m.p99.toFixed(2),
      'p99 vs no log': (m.p99 / base.p99).toFixed(2),
      'rows logged': w ? w.rows : '-',
      dropped: w ? w.dropped : '-',
      sidecars: w ? w.sidecars : '-',
      'req/s per round': runs
        .get(v.id)!
        .map((r) => Math.round(r.reqPerSec))
        .join(' '),
    };
  });
  const machine = {
    cpus: cpus().length,
    availableParallelism: availableParallelism(),
    cpuModel: cpus()[0]?.model,
    node: process.version,
    maxLoad1: Math.max(...load1),
  };
  console.log(
    `\nmonitoring · serving overhead: ${c.scenario.title}, ${c.label}; median of ${opts.rounds} rounds of ${opts.duration} s, variants alternating; ${JSON.stringify(machine)}\n`,
  );
  printTable(rows);
  const overhead = 1 - medians.get('log+profiles')!.reqPerSec / base.reqPerSec;
  const paired = {
    log: 1 - pairedRatio('log'),
    'log+profiles': 1 - pairedRatio('log+profiles'),
    sampled: 1 - pairedRatio('sampled'),
  };
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  console.log(
    `\nA/A control: an identical server without a log measured ${(medians.get('control')!.reqPerSec / base.reqPerSec).toFixed(3)} of the baseline (paired ${pairedRatio('control').toFixed(3)}): differences of that size are noise.` +
      `\nlogging + profiling costs ${pct(overhead)} of serving throughput (median of rounds paired with no log: ${pct(paired['log+profiles'])}; target ≤ 5 %); logging alone ${pct(1 - medians.get('log')!.reqPerSec / base.reqPerSec)} (paired ${pct(paired.log)}); at 10 % sampling with profiles ${pct(1 - medians.get('sampled')!.reqPerSec / base.reqPerSec)} (paired ${pct(paired.sampled)})`,
  );
  const file = writeResults('monitoring-serving-overhead', {
    machine,
    options: opts,
    scenario: c.scenario.id,
    variants: VARIANTS.map((v) => ({
      ...v,
      median: medians.get(v.id),
      rounds: runs.get(v.id)!.map((r) => ({ reqPerSec: r.reqPerSec, p50: r.p50, p99: r.p99 })),
      written: written[v.id],
    })),
    overhead,
    pairedOverhead: paired,
  });
  console.log(`wrote ${file}`);
}
