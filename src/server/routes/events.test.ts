/**
 * `POST /api/v1/events` and `GET /api/v1/monitoring/business` over a real server (listening on
 * 127.0.0.1) with a real inference log: batches stored idempotently in the metadata database,
 * unknown request ids counted and named, malformed batches refused with a 400 naming the field and
 * nothing stored; the report computed from what was posted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListeningControlPlane } from '../../../test/helpers/control-plane.js';
import {
  type LoggedControlPlanes,
  postJson,
  startLoggedControlPlanes,
} from '../../../test/helpers/logged-control-planes.js';
import type { InferenceRecord } from '../../serving/types.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');
const RANGE = `from=${new Date(T0 - 3_600_000).toISOString()}&to=${new Date(T0 + 3_600_000).toISOString()}`;

function record(id: string, latencyMicros: number): InferenceRecord {
  return {
    id,
    model: 'shop',
    version: '3',
    timestamp: T0,
    latencyMicros,
    inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 1], data: new Float32Array([1, 2]) }],
    outputs: [{ name: 'score', datatype: 'FP32', shape: [2, 1], data: new Float32Array([0.5, 0.5]) }],
  };
}

describe('POST /api/v1/events and GET /api/v1/monitoring/business', () => {
  let planes: LoggedControlPlanes;
  let cp: ListeningControlPlane;
  let bare: ListeningControlPlane;
  beforeAll(async () => {
    planes = await startLoggedControlPlanes([record('q1', 100), record('q2', 300), record('q3', 500)]);
    ({ logged: cp, bare } = planes);
  });
  afterAll(() => planes?.close());

  const post = (plane: ListeningControlPlane, body: unknown) => postJson(plane, '/api/v1/events', body);
  const business = (plane: ListeningControlPlane, query: string) =>
    fetch(`${plane.url}/api/v1/monitoring/business?${query}`);
  const stored = (plane: ListeningControlPlane) => plane.platform.events.list({ model: 'shop' });

  it('stores events, counts unknown request ids, replaces a resent event, and reports them per version', async () => {
    const body = {
      model: 'shop',
      events: [
        { name: 'converted', requestId: 'q1' },
        { name: 'converted', requestId: 'q2', rowIndex: 1, ts: '2025-03-01T11:00:00Z' },
        { name: 'converted', requestId: 'q3', value: 1 },
        { name: 'chargeback_amount', requestId: 'q1', rowIndex: 1, value: 12.5 },
        { name: 'converted', requestId: 'lost' },
      ],
    };
    const res = await post(cp, body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      model: 'shop',
      accepted: 5,
      verified: true,
      unknownRequestIds: 1,
      unknownRequestIdSample: ['lost'],
    });
    expect((await post(cp, body)).status).toBe(200);
    expect(await stored(cp)).toHaveLength(5);
    // The chargeback was 40 after all: the same event again replaces its value.
    const fix = {
      model: 'shop',
      events: [{ name: 'chargeback_amount', requestId: 'q1', rowIndex: 1, value: 40 }],
    };
    expect((await post(cp, fix)).status).toBe(200);
    const events = await stored(cp);
    expect(events).toHaveLength(5);
    expect(events.filter((e) => e.name === 'chargeback_amount').map((e) => e.value)).toEqual([40]);

    const report = await business(cp, `model=shop&${RANGE}`);
    expect(report.status).toBe(200);
    const json = await report.json();
    expect(json.unmatchedEvents).toEqual({ converted: 1 });
    // 3 requests of 2 rows; latencies 100, 300, 500 µs: p50 0.3 ms, p99 (300 + 0.98 × 200) µs.
    expect(json.groups).toHaveLength(1);
    const [g] = json.groups;
    expect(g).toMatchObject({ version: '3', segment: null, predictions: 6, requests: 3, latencyP50Ms: 0.3 });
    expect(g.latencyP99Ms).toBeCloseTo(0.496, 12);
    expect(g.events).toEqual([
      { name: 'chargeback_amount', events: 1, sum: 40, mean: 40, rate: 1 / 6 },
      { name: 'converted', events: 3, sum: 3, mean: 1, rate: 3 / 6 },
    ]);
    const other = await (await business(cp, `model=shop&version=4&${RANGE}`)).json();
    expect(other.groups).toEqual([]);
  });

  it('accepts events unverified without an inference log, and refuses the report naming the flag', async () => {
    const res = await post(bare, {
      model: 'shop',
      events: [{ name: 'refund', entity: { user_id: 7 }, ts: T0, value: 3 }],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      model: 'shop',
      accepted: 1,
      verified: false,
      unknownRequestIds: null,
      unknownRequestIdSample: [],
    });
    expect(await stored(bare)).toMatchObject([{ name: 'refund', entity: { user_id: 7 }, value: 3, ts: T0 }]);
    const report = await business(bare, 'model=shop&window=24h');
    expect(report.status).toBe(400);
    expect((await report.json()).error.details.field).toBe('inference-log');
  });

  it.each([
    ['window=24h', 'model'],
    ['model=shop&window=yesterday', 'window'],
    ['model=shop&window=24h&segment=in_nope', 'segment'],
  ])('refuses a bad report query with a 400 naming the field (%s)', async (query, field) => {
    const res = await business(cp, query);
    expect(res.status).toBe(400);
    expect((await res.json()).error.details.field).toBe(field);
  });

  // Each batch opens with a valid event: the whole batch is refused, not a prefix of it stored.
  const ok = { name: 'converted', requestId: 'q1' };
  const shop = (...events: unknown[]) => ({ model: 'shop', events: [ok, ...events] });
  it.each([
    [{ events: [ok] }, 'model'],
    [{ model: 'shop', events: [] }, 'events'],
    [shop({ requestId: 'q1' }), 'events[1].name'],
    [shop({ name: '1st', requestId: 'q1' }), 'events[1].name'],
    [shop({ name: 'a b', requestId: 'q1' }), 'events[1].name'],
    [shop({ name: 'x', requestId: 'q2', value: '5' }), 'events[1].value'],
    [shop({ name: 'x', requestId: 'q1', value: null }), 'events[1].value'],
    [shop({ name: 'x', requestId: 'q1', rowIndex: 1.5 }), 'events[1].rowIndex'],
    [shop({ name: 'x', requestId: 'q1', ts: 'yesterday' }), 'events[1].ts'],
    [shop({ name: 'x', entity: { user_id: 7 } }), 'events[1].ts'],
    [shop({ name: 'x' }), 'events[1].requestId'],
    [shop({ name: 'x', entity: { 'bad key': 1 }, ts: T0 }), 'events[1].entity.bad key'],
    [shop('converted'), 'events[1]'],
    [shop(...Array.from({ length: 10_000 }, (_, i) => ({ name: 'x', requestId: `r${i}` }))), 'events'],
  ])('refuses a malformed batch with a 400 naming the field (%#), storing nothing', async (body, field) => {
    const before = await stored(cp);
    const res = await post(cp, body);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.details.field).toBe(field);
    expect(error.message).toContain(`'${field}'`);
    expect(error.message).toMatch(/expected .+, got .+/);
    expect(await stored(cp)).toEqual(before);
  });
});
