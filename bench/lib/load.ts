/**
 * One autocannon measurement: a warmup run (discarded), then the measured run. Latency percentiles
 * come from every response time autocannon itself measured (its `response` event, fractional ms):
 * its own histogram rounds to whole milliseconds, too coarse for sub-millisecond requests.
 */
import autocannon, { type Options } from 'autocannon';

export interface LoadSpec {
  url: string;
  connections: number;
  /** Seconds of the measured run. */
  duration: number;
  /** Seconds of the unmeasured run before it. */
  warmup: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Rows (batch size) in each request, for rows/s. */
  rows: number;
}

export interface LoadResult {
  connections: number;
  seconds: number;
  /** 2xx responses per second. */
  reqPerSec: number;
  rowsPerSec: number;
  /** Milliseconds, over 2xx responses. */
  p50: number;
  p99: number;
  mean: number;
  /** autocannon's own histogram (whole ms), kept for reference. */
  autocannonP50: number;
  autocannonP99: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Runs `spec` against a server that is already up. */
export async function measureLoad(spec: LoadSpec): Promise<LoadResult> {
  const base: Options = {
    url: spec.url,
    connections: spec.connections,
    method: spec.method ?? 'POST',
    headers: spec.headers,
    body: spec.body,
    timeout: 30,
  };
  if (spec.warmup > 0) await autocannon({ ...base, duration: spec.warmup });

  let times = new Float64Array(1 << 16);
  let n = 0;
  const run = autocannon({ ...base, duration: spec.duration });
  run.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status < 200 || status >= 300) return;
    if (n === times.length) {
      const grown = new Float64Array(times.length * 2);
      grown.set(times);
      times = grown;
    }
    times[n++] = ms;
  });
  const r = await run;
  const sorted = times.subarray(0, n).sort();
  const mean = n ? sorted.reduce((a, b) => a + b, 0) / n : Number.NaN;
  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count]));
  return {
    connections: spec.connections,
    seconds: r.duration,
    reqPerSec: n / r.duration,
    rowsPerSec: (n * spec.rows) / r.duration,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    mean,
    autocannonP50: r.latency.p50,
    autocannonP99: r.latency.p99,
    ok: n,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
  };
}
