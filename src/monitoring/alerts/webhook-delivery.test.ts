/** Webhook notifications to a real HTTP receiver that is down, slow or failing. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqlAlertStore } from '../../backends/sql/alert-store.js';
import { openSqlDatabase, type SqlDatabase } from '../../backends/sql/connect.js';
import { webhookChannel } from './channels.js';
import { NotificationDispatcher } from './dispatcher.js';
import { openAlertEvaluator } from './evaluator.js';
import { MetricSources, RecordedMetrics } from './metric-sources.js';
import type { AlertNotification } from './types.js';

const SECRET = 'hook-secret';
const FAST_RETRY = { initialDelayMs: 20, maxDelayMs: 100 };

interface Received {
  body: string;
  signature: string | undefined;
  attempt: string | undefined;
}

/** A webhook receiver whose answer to the n-th request (0-based) the test decides. */
function receiver(answer: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: req.headers['x-slipway-signature'] as string | undefined,
        attempt: req.headers['x-slipway-attempt'] as string | undefined,
      });
      answer(received.length - 1, req, res);
    });
  });
  return { server, received };
}

const listen = (server: Server, port = 0) =>
  new Promise<number>((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
const stop = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** What a receiver does with the header: recompute the HMAC of the raw body and compare in constant time. */
function verified(r: Received): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
  const got = Buffer.from(r.signature ?? '');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

const notification = (alert: string): AlertNotification => ({
  alert,
  key: `${alert}{}`,
  state: 'firing',
  severity: 'critical',
  metric: 'slo.p99.burn',
  comparison: '>=',
  value: 20,
  threshold: 14.4,
  labels: { model: 'fraud' },
  startsAt: '2025-03-01T10:00:00.000Z',
  endsAt: null,
  sentAt: '2025-03-01T10:00:00.000Z',
});

describe('webhook notifications', () => {
  let home: string;
  let sql: SqlDatabase;
  let store: SqlAlertStore;
  const servers: Server[] = [];
  const dispatchers: NotificationDispatcher[] = [];

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'slipway-webhooks-'));
    sql = await openSqlDatabase(`sqlite:///${join(home, 'slipway.db')}`);
    store = new SqlAlertStore(sql);
  });
  afterEach(async () => {
    for (const d of dispatchers.splice(0)) await d.close();
    for (const s of servers.splice(0)) await stop(s);
    await sql.close();
    await rm(home, { recursive: true, force: true });
  });

  const dispatcherTo = async (
    port: number,
    extra: Partial<ConstructorParameters<typeof NotificationDispatcher>[0]> = {},
  ) => {
    const d = new NotificationDispatcher({
      store,
      channels: [
        webhookChannel({
          name: 'pager',
          url: `http://127.0.0.1:${port}/hook`,
          secret: SECRET,
          timeoutMs: 200,
        }),
      ],
      retry: FAST_RETRY,
      ...extra,
    });
    dispatchers.push(d);
    await d.start();
    return d;
  };

  it('retries a receiver answering 500 until it answers 200, each attempt signed and recorded', async () => {
    const { server, received } = receiver((n, _req, res) => res.writeHead(n < 2 ? 500 : 200).end());
    servers.push(server);
    const d = await dispatcherTo(await listen(server));
    expect(d.notify(notification('p99-burn'))).toBe(true);
    await d.whenIdle();

    expect(received.map((r) => r.attempt)).toEqual(['1', '2', '3']);
    expect(received.every(verified)).toBe(true);
    expect(JSON.parse(received[2].body)).toEqual(notification('p99-burn'));
    const [delivery] = await store.listDeliveries({ rule: 'p99-burn' });
    expect(delivery).toMatchObject({ channel: 'pager', status: 'delivered', attempts: 3, lastError: null });
    const attempts = await store.listAttempts(delivery.id);
    expect(attempts.map((a) => [a.statusCode, a.error])).toEqual([
      [500, 'HTTP 500'],
      [500, 'HTTP 500'],
      [200, null],
    ]);
    expect(d.stats()).toMatchObject({ delivered: 1, failed: 0, attempts: 3, pending: 0 });
  });

  it('times out a receiver slower than the timeout while the alert loop keeps evaluating', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const { server, received } = receiver((n, _req, res) => {
      if (n === 0) void held.then(() => res.writeHead(200).end());
      else res.writeHead(204).end();
    });
    servers.push(server);
    const d = await dispatcherTo(await listen(server));
    const drift = new RecordedMetrics('drift', /^drift\./);
    const alerts = await openAlertEvaluator({ store, metrics: new MetricSources([drift]), notifier: d });
    await alerts.putRule({ name: 'drift', metric: 'drift.share', comparison: '>', threshold: 0.5 });

    drift.record('drift.share', 0.9, { model: 'fraud' }, Date.now());
    await alerts.tick();
    // The receiver holds the first request; ticks still complete and see the alert firing.
    while (received.length === 0) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 3; i++) {
      const changed = await alerts.tick();
      expect(changed).toEqual([]);
    }
    expect(alerts.alerts()[0].state).toBe('firing');
    await d.whenIdle();
    release();

    const [delivery] = await store.listDeliveries({ rule: 'drift' });
    expect(delivery.status).toBe('delivered');
    const attempts = await store.listAttempts(delivery.id);
    expect(attempts[0]).toMatchObject({ statusCode: null, error: 'no answer within 200 ms' });
    expect(attempts.at(-1)).toMatchObject({ statusCode: 204, error: null });
    expect(JSON.parse(received.at(-1)!.body)).toMatchObject({ alert: 'drift', state: 'firing', value: 0.9 });
  });

  it('keeps retrying a receiver that is down and delivers once it is up', async () => {
    const probe = createServer();
    const port = await listen(probe);
    await stop(probe);
    const d = await dispatcherTo(port);
    d.notify(notification('down'));
    const [delivery] = await waitFor(async () => {
      const ds = await store.listDeliveries({ rule: 'down' });
      return ds[0]?.attempts >= 2 ? ds : undefined;
    });
    expect(delivery).toMatchObject({ status: 'pending', lastError: 'ECONNREFUSED' });

    const { server, received } = receiver((_n, _req, res) => res.writeHead(200).end());
    servers.push(server);
    await listen(server, port);
    await d.whenIdle();
    expect(received).toHaveLength(1);
    expect(verified(received[0])).toBe(true);
    const [done] = await store.listDeliveries({ rule: 'down' });
    expect(done.status).toBe('delivered');
    expect((await store.listAttempts(done.id)).slice(0, -1).every((a) => a.error === 'ECONNREFUSED')).toBe(
      true,
    );
  });

  it('resumes a pending delivery from the outbox after a restart', async () => {
    const probe = createServer();
    const port = await listen(probe);
    await stop(probe);
    const first = await dispatcherTo(port, { retry: { initialDelayMs: 60_000 } });
    first.notify(notification('restart'));
    await waitFor(async () =>
      (await store.listDeliveries({ rule: 'restart' }))[0]?.attempts === 1 ? true : undefined,
    );
    await first.close();
    await sql.close();

    sql = await openSqlDatabase(`sqlite:///${join(home, 'slipway.db')}`);
    store = new SqlAlertStore(sql);
    const { server, received } = receiver((_n, _req, res) => res.writeHead(200).end());
    servers.push(server);
    await listen(server, port);
    // The next attempt was due a minute later: the restarted process's clock is past it.
    const later = { now: () => Date.now() + 61_000 };
    const second = await dispatcherTo(port, { clock: later });
    await second.whenIdle();
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0].body)).toMatchObject({ alert: 'restart' });
    const [delivery] = await store.listDeliveries({ rule: 'restart' });
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('drops and counts notifications beyond the queue bound instead of waiting', async () => {
    const { server } = receiver((_n, _req, res) => res.writeHead(200).end());
    servers.push(server);
    const d = await dispatcherTo(await listen(server), { maxQueued: 2 });
    // The first is taken at once to be written to the outbox; two more may wait behind it.
    const accepted = [1, 2, 3, 4, 5].map((i) => d.notify(notification(`burst-${i}`)));
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(d.stats().dropped).toBe(2);
    await d.whenIdle();
    expect((await store.listDeliveries()).map((x) => [x.rule, x.status]).sort()).toEqual([
      ['burst-1', 'delivered'],
      ['burst-2', 'delivered'],
      ['burst-3', 'delivered'],
    ]);
  });

  it('marks a delivery failed after its last attempt, with the reason visible', async () => {
    const { server } = receiver((_n, _req, res) => res.writeHead(503).end());
    servers.push(server);
    const d = await dispatcherTo(await listen(server), { retry: { ...FAST_RETRY, maxAttempts: 3 } });
    d.notify(notification('gives-up'));
    await d.whenIdle();
    const [delivery] = await store.listDeliveries({ rule: 'gives-up' });
    expect(delivery).toMatchObject({ status: 'failed', attempts: 3, lastError: 'HTTP 503' });
    expect(await store.pendingDeliveries()).toEqual([]);
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}
