/** The shared suite every ProfileStore backend must pass. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetProfile, type ProfileKey } from './dataset-profile.js';
import { mergeStoredProfiles, type ProfileStore } from './profile-store.js';

export interface ProfileStoreFixture {
  store: ProfileStore;
  cleanup: () => Promise<void>;
}

const HOUR = 3_600_000;
const key: ProfileKey = {
  model: 'fraud',
  version: '3',
  kind: 'serving',
  source: 'inference-log',
  segment: '',
};

function hourProfile(hour: number, values: number[], k: ProfileKey = key): DatasetProfile {
  const p = new DatasetProfile(k, hour * HOUR, (hour + 1) * HOUR);
  p.numeric('amount').add(values);
  p.categorical('country').add(values.map((v) => (v > 2 ? 'DE' : 'FR')));
  return p;
}

export function describeProfileStore(name: string, open: () => Promise<ProfileStoreFixture>): void {
  describe(`ProfileStore (${name})`, () => {
    let fx: ProfileStoreFixture;
    beforeEach(async () => {
      fx = await open();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('saves and reads a profile back exactly, replacing one of the same key and window', async () => {
      const p = hourProfile(1, [1, 2, 3]);
      await fx.store.save(p);
      await fx.store.save(hourProfile(1, [5, 6, 7, 8]));
      const back = await fx.store.get(key, HOUR, 2 * HOUR);
      expect(back?.toJSON()).toEqual(hourProfile(1, [5, 6, 7, 8]).toJSON());
      expect(await fx.store.get({ ...key, version: '4' }, HOUR, 2 * HOUR)).toBeUndefined();
    });

    it('merges replicas flushing the same window concurrently without losing rows', async () => {
      const replicas = Array.from({ length: 8 }, (_, i) => hourProfile(2, [i, i + 0.5]));
      await Promise.all(replicas.map((p) => fx.store.merge(p)));
      const stored = await fx.store.get(key, 2 * HOUR, 3 * HOUR);
      expect(stored?.columns.get('amount')?.rows).toBe(16);
      const whole = hourProfile(
        2,
        replicas.flatMap((_, i) => [i, i + 0.5]),
      );
      expect(stored?.columns.get('country')?.toJSON()).toEqual(whole.columns.get('country')?.toJSON());
    });

    it('lists and merges the windows of a time range, oldest first', async () => {
      for (const h of [3, 1, 2]) await fx.store.save(hourProfile(h, [h, h * 2]));
      await fx.store.save(hourProfile(2, [9], { ...key, kind: 'reference', source: 'dataset:train/1' }));
      const listed = await fx.store.list({ model: 'fraud', kind: 'serving', from: HOUR, to: 3 * HOUR });
      expect(listed.map((s) => [s.start, s.rows])).toEqual([
        [HOUR, 2],
        [2 * HOUR, 2],
      ]);
      expect(listed[0]).toMatchObject({ ...key, end: 2 * HOUR });
      const merged = await mergeStoredProfiles(fx.store, { model: 'fraud', version: '3', kind: 'serving' });
      expect([merged?.start, merged?.end, merged?.columns.get('amount')?.rows]).toEqual([HOUR, 4 * HOUR, 6]);
      await expect(mergeStoredProfiles(fx.store, { model: 'fraud' })).rejects.toThrow(/'filter'/);
      expect(await mergeStoredProfiles(fx.store, { model: 'other' })).toBeUndefined();
    });

    it('deletes what a filter selects and refuses a filter without a model', async () => {
      for (const h of [1, 2]) await fx.store.save(hourProfile(h, [h]));
      expect(await fx.store.delete({ model: 'fraud', to: 2 * HOUR })).toBe(1);
      expect((await fx.store.list({ model: 'fraud' })).map((s) => s.start)).toEqual([2 * HOUR]);
      await expect(fx.store.list({ model: '' })).rejects.toThrow(/'model'/);
    });
  });
}
