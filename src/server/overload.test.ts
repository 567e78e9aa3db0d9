/**
 * Overload protection over real HTTP: a stalled event loop and a flood of slow requests both get a
 * fast 503 with Retry-After in the caller's protocol's error shape, while liveness stays up.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../test/helpers/control-plane.js';
import type { OverloadLimits } from './overload.js';

const MLFLOW_SEARCH = '/api/2.0/mlflow/experiments/search?max_results=10';
const NATIVE_LIST = '/api/v1/experiments';
const HOLD = { headers: { 'x-hold': 'yes' } };

interface Reply {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

interface Served {
  app: FastifyInstance;
  get(path: string, init?: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<Reply>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real platform on a temp home; `prepare` may add hooks before the app listens. */
async function serve(
  overload: Partial<OverloadLimits>,
  prepare: (app: FastifyInstance) => void = () => {},
): Promise<Served> {
  const { app, url, close } = await startControlPlane({
    server: { overload },
    beforeListen: prepare,
    listen: true,
  });
  cleanups.push(close);
  const get: Served['get'] = async (path, init = {}) => {
    const res = await fetch(`${url}${path}`, init);
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  };
  return { app, get };
}

/** Retries `attempt` until `done` holds, for at most `ms`. */
async function eventually<T>(
  attempt: () => Promise<T>,
  done: (value: T) => boolean,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await attempt();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const hasStatus =
  (status: number) =>
  (r: Reply): boolean =>
    r.status === status;

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin: this is the stall being simulated
  }
}

/**
 * Stalls the event loop for 250 ms out of every ~255 until stopped, so every sample the pressure
 * monitor takes sees a stalled loop (one stall right after a sample would be seen only once).
 */
function stallEventLoop(): () => void {
  let on = true;
  const tick = (): void => {
    if (!on) return;
    busyFor(250);
    setTimeout(tick, 5);
  };
  setTimeout(tick, 0);
  return () => {
    on = false;
  };
}

/**
 * Makes real routes slow without a test-only route: requests sent with HOLD wait in an onRequest hook
 * (which runs after the in-flight cap has admitted them) until `open()`.
 */
function holdGate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const gate = {
    entered: 0,
    open,
    install(app: FastifyInstance): void {
      app.addHook('onRequest', async (req) => {
        if (req.headers['x-hold'] !== 'yes') return;
        gate.entered++;
        await opened;
      });
    },
  };
  return gate;
}

describe('overload protection', () => {
  it('refuses with 503 and Retry-After while the event loop stalls, keeps liveness up, then recovers', async () => {
    const { app, get } = await serve({ maxEventLoopDelay: 50, sampleInterval: 50 });
    // Start-up itself keeps the loop busy through the first sample or two.
    expect((await eventually(() => get(NATIVE_LIST), hasStatus(200))).status).toBe(200);

    const stop = stallEventLoop();
    try {
      await eventually(
        async () => app.isUnderPressure(),
        (under) => under,
      );
      expect(app.isUnderPressure()).toBe(true);

      const mlflow = await eventually(() => get(MLFLOW_SEARCH), hasStatus(503));
      expect(mlflow).toMatchObject({
        status: 503,
        retryAfter: '1',
        body: { error_code: 'TEMPORARILY_UNAVAILABLE', message: expect.stringContaining('event loop') },
      });
      // Liveness answers in the same moment the API refuses.
      const [live, native] = await eventually(
        () => Promise.all([get('/healthz'), get(NATIVE_LIST)]),
        ([, n]) => n.status === 503,
      );
      expect(live).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(native).toMatchObject({
        status: 503,
        retryAfter: '1',
        body: { error: { code: 'TEMPORARILY_UNAVAILABLE', message: expect.any(String), details: {} } },
      });
      const unknown = await eventually(() => get('/api/2.0/mlflow/no-such-endpoint'), hasStatus(503));
      expect(unknown.body).toMatchObject({ error_code: 'TEMPORARILY_UNAVAILABLE' });
      const ready = await eventually(() => get('/readyz'), hasStatus(503));
      expect(ready).toMatchObject({ status: 503, retryAfter: '1', body: { status: 'unavailable' } });
    } finally {
      stop();
    }

    expect((await eventually(() => get(MLFLOW_SEARCH), hasStatus(200))).status).toBe(200);
    expect((await eventually(() => get(NATIVE_LIST), hasStatus(200))).status).toBe(200);
    expect((await eventually(() => get('/readyz'), hasStatus(200))).body).toEqual({ status: 'ready' });
  });

  it('does not count a start-up stall as overload: the first requests after listening are served', async () => {
    const { get } = await serve({ maxEventLoopDelay: 50, sampleInterval: 50 }, (app) => {
      // Start-up work that blocks the loop (loading definitions, migrations, warmup) just before listening.
      app.addHook('onReady', async () => busyFor(400));
    });
    expect((await get(NATIVE_LIST)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 60));
    expect((await get(NATIVE_LIST)).status).toBe(200);
  });

  it('refuses requests beyond maxInFlight with 503 and Retry-After, serves the admitted ones', async () => {
    const gate = holdGate();
    const { get } = await serve({ maxInFlight: 2 }, gate.install);

    let refused = 0;
    const flood = Array.from({ length: 20 }, (_, i) =>
      get(i % 2 ? MLFLOW_SEARCH : NATIVE_LIST, HOLD).then((r) => {
        if (r.status === 503) refused++;
        return r;
      }),
    );
    // The 18 beyond the cap are answered while the 2 admitted ones are still held.
    await eventually(
      async () => refused,
      (n) => n >= 18,
    );
    expect(refused).toBe(18);
    expect(gate.entered).toBe(2);
    expect((await get('/healthz')).status).toBe(200);
    expect(await get('/readyz')).toMatchObject({
      status: 503,
      retryAfter: '1',
      body: { status: 'unavailable' },
    });

    gate.open();
    const replies = await Promise.all(flood);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(2);
    expect(replies.filter((r) => r.status >= 500 && r.status !== 503)).toEqual([]);
    for (const r of replies.filter((x) => x.status === 503)) {
      expect(r.retryAfter).toBe('1');
      expect(r.body).toEqual(
        'error_code' in r.body
          ? { error_code: 'TEMPORARILY_UNAVAILABLE', message: expect.stringContaining('in flight') }
          : {
              error: {
                code: 'TEMPORARILY_UNAVAILABLE',
                message: expect.stringContaining('in flight'),
                details: {},
              },
            },
      );
    }
    const shapes = new Set(
      replies.filter((r) => r.status === 503).map((r) => ('error_code' in r.body ? 'mlflow' : 'native')),
    );
    expect(shapes).toEqual(new Set(['mlflow', 'native']));

    // Slots are given back: the server serves again at full capacity.
    const after = await Promise.all([get(NATIVE_LIST), get(MLFLOW_SEARCH)]);
    expect(after.map((r) => r.status)).toEqual([200, 200]);
  });

  it('keeps the slot of a client that hung up until its request is done, then frees it', async () => {
    const gate = holdGate();
    const { get } = await serve({ maxInFlight: 2 }, gate.install);
    const hangUps = [new AbortController(), new AbortController()];
    const held = hangUps.map((c) =>
      get(NATIVE_LIST, { ...HOLD, signal: c.signal }).catch((err: Error) => err),
    );
    await eventually(
      async () => gate.entered,
      (n) => n === 2,
    );
    for (const c of hangUps) c.abort();
    expect((await Promise.all(held)).every((r) => r instanceof Error)).toBe(true);

    // The handlers still run, so their slots stay taken...
    expect((await get(NATIVE_LIST)).status).toBe(503);
    gate.open();
    // ...until they finish (Fastify skips onResponse after a hang-up: a plain counter would leak).
    expect((await eventually(() => get(NATIVE_LIST), hasStatus(200))).status).toBe(200);
    expect((await get(MLFLOW_SEARCH)).status).toBe(200);
  });
});
