/**
 * The dataset-registry behaviour every metadata backend must show, exercised through
 * `DatasetRegistry`: `describeDatasetRegistry('SQLite', makeStore)`. Each test uses its own names.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSlipwayError } from '../core/errors.js';
import { DatasetRegistry } from './dataset-registry.js';
import type { DatasetStore, NewDatasetVersion } from './types.js';

export interface DatasetStoreFixture {
  store: DatasetStore;
  cleanup(): Promise<void>;
}

const unique = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;
const digestOf = (seed: string) => `sha256:${seed.repeat(64).slice(0, 64)}`;

function input(name: string, seed: string, rows = 3): NewDatasetVersion {
  return {
    name,
    digest: digestOf(seed),
    source: `mlflow-artifacts:/datasets/${name}/${seed}.parquet`,
    rows,
    schema: { driver_id: 'BIGINT', trips: 'BIGINT' },
    project: 'rides',
    features: ['daily:trips'],
    featureService: 'ranker_v1',
    entitySource: '/data/labels.csv',
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isSlipwayError(err) ? err.code : undefined;
}

export function describeDatasetRegistry(backend: string, make: () => Promise<DatasetStoreFixture>): void {
  describe(`dataset registry on ${backend}`, () => {
    let fixture: DatasetStoreFixture;
    let registry: DatasetRegistry;
    beforeAll(async () => {
      fixture = await make();
      registry = new DatasetRegistry(fixture.store);
    });
    afterAll(() => fixture.cleanup());

    it('numbers versions 1, 2, … per name and keeps every field', async () => {
      const name = unique('fraud');
      const first = await registry.register(input(name, 'a'));
      expect(first.created).toBe(true);
      expect(first.dataset).toMatchObject({ ...input(name, 'a'), version: 1 });
      const second = await registry.register(input(name, 'b', 5));
      expect(second.dataset.version).toBe(2);
      expect(await registry.get(name, 1)).toEqual(first.dataset);
      expect(await registry.get(name)).toEqual(second.dataset);
      expect((await registry.versions(name)).map((v) => v.version)).toEqual([1, 2]);
    });

    it('returns the latest version instead of a new one when the data is the same', async () => {
      const name = unique('same');
      const first = await registry.register(input(name, 'c'));
      const again = await registry.register(input(name, 'c'));
      expect(again).toEqual({ dataset: first.dataset, created: false });
      expect(await registry.versions(name)).toHaveLength(1);
      // Only the latest counts: going back to earlier data is a new version.
      await registry.register(input(name, 'd'));
      expect((await registry.register(input(name, 'c'))).dataset.version).toBe(3);
    });

    it('gives distinct versions to concurrent registrations of different data', async () => {
      const name = unique('race');
      const results = await Promise.all(['1', '2', '3', '4'].map((s) => registry.register(input(name, s))));
      expect(results.map((r) => r.dataset.version).sort()).toEqual([1, 2, 3, 4]);
    });

    it('lists the latest version of each dataset by name', async () => {
      const a = unique('list_a');
      const b = unique('list_b');
      await registry.register(input(a, 'e'));
      await registry.register(input(a, 'f'));
      await registry.register(input(b, 'e'));
      const listed = (await registry.list()).filter((d) => d.name === a || d.name === b);
      expect(listed.map((d) => [d.name, d.version])).toEqual([
        [a, 2],
        [b, 1],
      ]);
    });

    it('refuses unknown names and versions with not-found, bad input with invalid-parameter', async () => {
      expect(await codeOf(registry.get(unique('missing')))).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(await codeOf(registry.versions(unique('missing')))).toBe('RESOURCE_DOES_NOT_EXIST');
      const name = unique('known');
      await registry.register(input(name, 'a'));
      expect(await codeOf(registry.get(name, 9))).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(await codeOf(registry.register({ ...input(name, 'a'), digest: 'md5:abc' }))).toBe(
        'INVALID_PARAMETER_VALUE',
      );
      expect(await codeOf(registry.register(input('../etc', 'a')))).toBe('INVALID_PARAMETER_VALUE');
    });
  });
}
