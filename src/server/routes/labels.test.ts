/**
 * `POST /api/v1/labels` over a real server (listening on 127.0.0.1) with a real inference log:
 * batches stored idempotently in the metadata database, unknown request ids counted and named,
 * malformed batches refused with a 400 naming the field; performance measured from what was posted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListeningControlPlane } from '../../../test/helpers/control-plane.js';
import {
  type LoggedControlPlanes,
  postJson,
  startLoggedControlPlanes,
} from '../../../test/helpers/logged-control-planes.js';
import { openSqlDatabase } from '../../backends/sql/connect.js';
import { SqlLabelStore } from '../../backends/sql/label-store.js';
import { measurePerformance } from '../../monitoring/performance/index.js';
import type { InferenceRecord } from '../../serving/types.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');

function record(id: string, score: number): InferenceRecord {
  return {
    id,
    model: 'fraud',
    version: '1',
    timestamp: T0,
    latencyMicros: 100,
    inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 1], data: new Float32Array([1, 2]) }],
    outputs: [{ name: 'score', datatype: 'FP32', shape: [2, 1], data: new Float32Array([score, 1 - score]) }],
  };
}

describe('POST /api/v1/labels', () => {
  let planes: LoggedControlPlanes;
  let cp: ListeningControlPlane;
  let bare: ListeningControlPlane;
  let logDir: string;
  beforeAll(async () => {
    planes = await startLoggedControlPlanes([record('q1', 0.75), record('q2', 0.25), record('q3', 0.5)]);
    ({ logged: cp, bare, logDir } = planes);
  });
  afterAll(() => planes?.close());

  const post = (plane: ListeningControlPlane, body: unknown) => postJson(plane, '/api/v1/labels', body);
  const storedLabels = async (plane: ListeningControlPlane) => {
    const sql = await openSqlDatabase(plane.platform.config.backendStoreUri);
    try {
      return await new SqlLabelStore(sql).list({ model: 'fraud' });
    } finally {
      await sql.close();
    }
  };

  it('stores labels, counts the unknown request ids, and stays idempotent when resent', async () => {
    const body = {
      model: 'fraud',
      labels: [
        { requestId: 'q1', rowIndex: 0, value: 1, ts: '2025-03-02T00:00:00Z' },
        { requestId: 'q1', rowIndex: 1, value: 0 },
        { requestId: 'q2', value: 1 },
        { requestId: 'q2', rowIndex: 1, value: 0 },
        { requestId: 'q3', value: 0 },
        { requestId: 'lost-2', value: 1 },
        { requestId: 'lost-1', value: 0 },
        { requestId: 'lost-1', rowIndex: 1, value: 0 },
      ],
    };
    const res = await post(cp, body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      model: 'fraud',
      accepted: 8,
      verified: true,
      unknownRequestIds: 2,
      unknownRequestIdSample: ['lost-1', 'lost-2'],
    });
    expect((await post(cp, body)).status).toBe(200);
    const stored = await storedLabels(cp);
    expect(stored).toHaveLength(8);
    expect(stored.find((l) => 'requestId' in l && l.requestId === 'q1' && l.rowIndex === 0)?.ts).toBe(
      Date.parse('2025-03-02T00:00:00Z'),
    );

    // A correction: q2 row 0 was a negative after all.
    expect((await post(cp, { model: 'fraud', labels: [{ requestId: 'q2', value: 0 }] })).status).toBe(200);
    const sql = await openSqlDatabase(cp.platform.config.backendStoreUri);
    try {
      const report = await measurePerformance(new SqlLabelStore(sql), {
        dir: logDir,
        model: 'fraud',
        task: 'binary',
        prediction: 'out_score',
      });
      // Scores 0.75/0.25, 0.25/0.75, 0.5/0.5 against labels 1/0, 0/0, 0/–: q2 row 1 (0.75, label 0) is
      // the one false positive; q3 (0.5 ≥ 0.5, label 0) another.
      expect(report.unmatchedLabels).toBe(3);
      expect(report.groups[0]).toMatchObject({ predictions: 6, labelled: 5 });
      expect(report.groups[0].realized).toMatchObject({ accuracy: 3 / 5, precision: 1 / 3, recall: 1 });
    } finally {
      await sql.close();
    }
  });

  it('accepts labels unverified on a server without an inference log', async () => {
    const res = await post(bare, {
      model: 'fraud',
      labels: [{ entity: { user_id: 7 }, ts: T0, value: 'fraud' }],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      model: 'fraud',
      accepted: 1,
      verified: false,
      unknownRequestIds: null,
      unknownRequestIdSample: [],
    });
    expect(await storedLabels(bare)).toMatchObject([{ entity: { user_id: 7 }, value: 'fraud', ts: T0 }]);
  });

  it.each([
    [{ labels: [] }, 'model'],
    [{ model: 'fraud', labels: [] }, 'labels'],
    [{ model: 'fraud', labels: [{ requestId: 'q1', value: 1 }, { requestId: 'q2' }] }, 'labels[1].value'],
    [{ model: 'fraud', labels: [{ requestId: 'q1', rowIndex: -1, value: 1 }] }, 'labels[0].rowIndex'],
    [{ model: 'fraud', labels: [{ requestId: 'q1', value: 1, ts: 'yesterday' }] }, 'labels[0].ts'],
    [{ model: 'fraud', labels: [{ entity: { user_id: 7 }, value: 1 }] }, 'labels[0].ts'],
    [{ model: 'fraud', labels: [{ value: 1 }] }, 'labels[0].requestId'],
    [
      { model: 'fraud', labels: [{ entity: { 'bad key': 1 }, ts: T0, value: 1 }] },
      'labels[0].entity.bad key',
    ],
    [
      {
        model: 'fraud',
        labels: Array.from({ length: 10_001 }, (_, i) => ({ requestId: `r${i}`, value: 1 })),
      },
      'labels',
    ],
  ])('refuses a malformed batch with a 400 naming the field (%#), storing nothing', async (body, field) => {
    const before = (await storedLabels(bare)).length;
    const res = await post(bare, body);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.details.field).toBe(field);
    expect(error.message).toContain(`'${field}'`);
    expect(error.message).toMatch(/expected .+, got .+/);
    expect((await storedLabels(bare)).length).toBe(before);
  });
});
