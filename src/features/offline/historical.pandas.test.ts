/**
 * Cross-check against pandas `merge_asof` (what Feast-style training sets are often built with by
 * hand), when Debian's python3 has pandas; skipped otherwise (CI images need not carry pandas).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getHistoricalFeatures, type HistoricalView } from './historical.js';

const PYTHON = '/usr/bin/python3';
const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures/features');
const hasPandas = spawnSync(PYTHON, ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0;

// merge_asof takes, among right rows with equal `on` values, the last one: sorting by created
// timestamp first makes that Feast's tie-break. Its tolerance is inclusive, like a TTL.
const SCRIPT = `
import json, sys
import pandas as pd
ent = pd.read_csv(sys.argv[1], parse_dates=['event_timestamp'])
feat = pd.read_csv(sys.argv[2], parse_dates=['event_timestamp', 'created'])
ttl = int(sys.argv[3])
ent['_row'] = range(len(ent))
feat = feat.sort_values(['event_timestamp', 'created'], kind='stable')
out = pd.merge_asof(ent.sort_values('event_timestamp', kind='stable'), feat[['driver_id', 'event_timestamp', 'conv_rate', 'trips']],
    on='event_timestamp', by='driver_id', direction='backward', allow_exact_matches=True,
    tolerance=pd.Timedelta(seconds=ttl) if ttl > 0 else None).sort_values('_row')
num = lambda v: None if pd.isna(v) else float(v)
print(json.dumps([[int(r.order_id), num(r.conv_rate), num(r.trips)] for r in out.itertuples()]))
`;

function hourly(ttlSeconds: number): HistoricalView {
  return {
    view: {
      name: 'driver_hourly',
      entities: ['driver'],
      schema: [
        { name: 'conv_rate', type: 'float64' },
        { name: 'trips', type: 'int64' },
      ],
      source: 'driver_hourly_src',
      ttlSeconds,
      online: false,
      offline: true,
    },
    source: {
      kind: 'file',
      name: 'driver_hourly_src',
      path: resolve(FIXTURES, 'driver_hourly.csv'),
      format: 'csv',
      timestampField: 'event_timestamp',
      createdTimestampField: 'created',
    },
    joinKeys: ['driver_id'],
    features: ['conv_rate', 'trips'],
  };
}

const title = hasPandas
  ? 'matches pandas merge_asof'
  : `matches pandas merge_asof (skipped: ${PYTHON} cannot import pandas; apt-get install python3-pandas to run it)`;

describe.skipIf(!hasPandas)(title, () => {
  it.each([7200, 0])('with TTL %i s', async (ttl) => {
    const orders = resolve(FIXTURES, 'orders.csv');
    const run = spawnSync(
      PYTHON,
      ['-c', SCRIPT, orders, resolve(FIXTURES, 'driver_hourly.csv'), String(ttl)],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const pandas = JSON.parse(run.stdout) as Array<[number, number | null, number | null]>;
    const { rows } = await getHistoricalFeatures({ entities: { path: orders }, views: [hourly(ttl)] });
    expect(rows!.map((r) => [r['order_id'], r['conv_rate'], r['trips']])).toEqual(pandas);
  });
});
