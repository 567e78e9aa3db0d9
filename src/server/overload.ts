/**
 * Overload protection: when the process is overloaded, refuse requests fast (503 + Retry-After)
 * rather than queue them until memory runs out or the event loop stalls.
 *
 * Two guards, both answering in the error shape of the protocol the path belongs to:
 * - `@fastify/under-pressure` samples event-loop delay, event-loop utilization and heap use, and
 *   refuses every request while any of them is over its limit.
 * - A cap on requests in flight, so that a flood of slow requests cannot grow memory without bound.
 *
 * Probes: liveness (`/healthz`, `/health`) always answers, so an orchestrator never restarts a
 * process for being busy (that would only move its load onto the survivors). Readiness (`/readyz`)
 * answers 503 while the process is under pressure or at its in-flight cap, so that load balancers
 * route new traffic elsewhere until it recovers.
 */
import { getHeapStatistics } from 'node:v8';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidParameter } from '../core/errors.js';

export interface OverloadLimits {
  /** Mean event-loop delay (ms) over one sample above which requests are refused. 0 disables. */
  maxEventLoopDelay: number;
  /** V8 heap in use (bytes) above which requests are refused. 0 disables. */
  maxHeapUsedBytes: number;
  /** Event-loop utilization (0..1) over one sample above which requests are refused. 0 disables. */
  maxEventLoopUtilization: number;
  /** Requests being served at once (probes excluded) beyond which new ones are refused. 0 disables. */
  maxInFlight: number;
  /** Seconds sent in `Retry-After` with every refusal. */
  retryAfter: number;
  /** How often (ms) the pressure metrics are sampled. */
  sampleInterval: number;
}

/** Defaults: refuse only when the process is really struggling, never in ordinary bursts. */
export function defaultOverloadLimits(): OverloadLimits {
  return {
    maxEventLoopDelay: 1000,
    // Refusing near the V8 limit leaves room for the requests already in flight to finish.
    maxHeapUsedBytes: Math.floor(getHeapStatistics().heap_size_limit * 0.9),
    // Off: a server saturated by legitimate ingest runs near 100 % utilization yet still answers in
    // milliseconds; refusing it would cut throughput. Delay is the signal that clients suffer.
    maxEventLoopUtilization: 0,
    maxInFlight: 1024,
    retryAfter: 1,
    sampleInterval: 1000,
  };
}

type PressureHandler = NonNullable<underPressure.FastifyUnderPressureOptions['pressureHandler']>;

const LIVENESS = new Set(['/healthz', '/health', '/v2/health/live']);
const READINESS = '/readyz';
const MLFLOW_PATH = /^\/(ajax-)?api\/2\.0\/mlflow(-artifacts)?(\/|$)/;
/** TF Serving, KServe V2 and TorchServe all answer errors as `{"error": "..."}`-like bodies. */
const SERVING_PATH = /^\/(v1\/models|v2|predictions)(\/|$)/;
/** Warn at most this often while refusing, so a flood of refusals is not also a flood of log lines. */
const WARN_EVERY_MS = 10_000;

const LOOP_MEASURES = new Set(['eventLoopDelay', 'eventLoopUtilization']);

const REASONS: Record<string, string> = {
  eventLoopDelay: 'event loop delay',
  eventLoopUtilization: 'event loop utilization',
  heapUsedBytes: 'heap use',
  rssBytes: 'memory use',
  healthCheck: 'failed health check',
};

/**
 * Registers both guards on the root app, where they cover every route and the 404 handlers.
 * Unset limits keep their defaults (see `defaultOverloadLimits`); returns the limits in force.
 *
 * @example
 * await installOverloadProtection(app, { maxInFlight: 256 });
 */
export async function installOverloadProtection(
  app: FastifyInstance,
  limits: Partial<OverloadLimits> = {},
): Promise<OverloadLimits> {
  const l = { ...defaultOverloadLimits(), ...withoutUndefined(limits) };
  for (const [field, value] of Object.entries(l)) {
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0)
      throw invalidParameter(`overload.${field}`, 'a non-negative number', value);
  }
  const retryAfter = String(Math.ceil(l.retryAfter));
  let lastWarn = Number.NEGATIVE_INFINITY;
  const warn = (msg: string): void => {
    const now = Date.now();
    if (now - lastWarn < WARN_EVERY_MS) return;
    lastWarn = now;
    app.log.warn(msg);
  };

  /** Sets 503 + Retry-After and returns the refusal body for the path's protocol. */
  const refuse = (req: FastifyRequest, reply: FastifyReply, why: string): object => {
    reply.code(503).header('Retry-After', retryAfter);
    if (req.routeOptions.url === READINESS) return { status: 'unavailable', reason: why };
    const message = `Server is overloaded (${why}); retry after ${retryAfter} s`;
    if (MLFLOW_PATH.test(req.url)) return { error_code: 'TEMPORARILY_UNAVAILABLE', message };
    if (SERVING_PATH.test(req.url)) return { error: message };
    return { error: { code: 'TEMPORARILY_UNAVAILABLE', message, details: {} } };
  };

  // Returning a body makes the plugin send it and stop the request; returning nothing lets it through
  // (the plugin's typings only allow void, hence the cast below). Sending here and returning nothing
  // would let the later onRequest hooks run too.
  // Start-up (module loading, migrations, model warmup) blocks the loop once; the samples taken
  // across it say nothing about load, so loop measures only count from two samples after ready.
  let loopMeasuresFrom = Number.POSITIVE_INFINITY;
  const startGrace = (): void => {
    loopMeasuresFrom = Date.now() + 2 * l.sampleInterval;
  };
  app.addHook('onReady', async () => startGrace());
  // 'listening' comes after every onReady hook (later ones may do start-up work of their own).
  app.server.once('listening', startGrace);
  const onPressure = (req: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => {
    if (LIVENESS.has(req.routeOptions.url ?? '')) return undefined;
    if (LOOP_MEASURES.has(type) && Date.now() < loopMeasuresFrom) return undefined;
    const why = REASONS[type] ?? type;
    warn(`Refusing requests: ${why} is over its limit (${value ?? 'n/a'})`);
    return refuse(req, reply, why);
  };
  await app.register(underPressure, {
    maxEventLoopDelay: l.maxEventLoopDelay,
    maxHeapUsedBytes: l.maxHeapUsedBytes,
    maxEventLoopUtilization: l.maxEventLoopUtilization,
    // The default, 'cumulative', averages since start-up: it would barely move under a new load.
    eventLoopUtilizationMode: 'interval',
    sampleInterval: l.sampleInterval,
    retryAfter: l.retryAfter,
    pressureHandler: onPressure as PressureHandler,
  });

  if (l.maxInFlight > 0) installInFlightCap(app, l.maxInFlight, refuse, warn);
  return l;
}

/**
 * Counts requests from onRequest until the reply is both produced and closed. A plain
 * onRequest/onResponse pair would leak a slot on every client that hangs up (Fastify skips
 * onResponse then), and a server whose clients time out under load would end up refusing forever.
 */
function installInFlightCap(
  app: FastifyInstance,
  max: number,
  refuse: (req: FastifyRequest, reply: FastifyReply, why: string) => object,
  warn: (msg: string) => void,
): void {
  let inFlight = 0;
  const slots = new WeakMap<FastifyRequest, { replied(): void; release(): void }>();

  app.addHook('onRequest', async (req, reply) => {
    const route = req.routeOptions.url ?? '';
    if (LIVENESS.has(route)) return;
    if (inFlight >= max) {
      warn(`Refusing requests: ${inFlight} in flight, the limit is ${max}`);
      return reply.send(refuse(req, reply, `${max} requests in flight`));
    }
    // Probes are cheap and must get through; readiness only reports the cap.
    if (route === READINESS) return;
    inFlight++;
    let held = true;
    let replied = false;
    let closed = false;
    const release = (): void => {
      if (!held) return;
      held = false;
      inFlight--;
    };
    slots.set(req, {
      replied() {
        replied = true;
        if (closed) release();
      },
      release,
    });
    // After a hang-up the handler still runs; its slot is freed once it has produced the reply.
    reply.raw.once('close', () => {
      closed = true;
      if (replied) release();
    });
  });
  // Callback style: these run on every reply, and need no promise.
  app.addHook('onSend', (req, _reply, payload, done) => {
    slots.get(req)?.replied();
    done(null, payload);
  });
  app.addHook('onResponse', (req, _reply, done) => {
    slots.get(req)?.release();
    done();
  });
}

function withoutUndefined<T extends object>(o: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
