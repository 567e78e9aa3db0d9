import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOrderBy } from '../../../tracking/search/order-by-parser.js';
import {
  parseModelVersionFilter,
  parseRegisteredModelFilter,
} from '../../../tracking/search/registry-filter-parser.js';
import {
  applyModelVersionFilter,
  applyModelVersionOrder,
  applyRegisteredModelFilter,
  applyRegisteredModelOrder,
} from './registry-search.js';
import { ENGINES, openSearchDatabase, type SearchDatabase } from './search-databases.suite.js';

const version = (name: string, v: number, run_id: string, current_stage: string, time: number) => ({
  name,
  version: v,
  creation_time: time,
  last_updated_time: time,
  description: '',
  current_stage,
  source: `s3://bucket/${name}/${v}`,
  run_id,
  run_link: '',
  status: 'READY',
  storage_location: '',
  content_hash: null,
  signature: null,
  code_version: null,
  datasets: '[]',
});

async function seed({ db }: SearchDatabase): Promise<void> {
  await db
    .insertInto('registered_models')
    .values([
      { name: 'Churn', creation_time: 10, last_updated_time: 300, description: '' },
      { name: 'churn-v2', creation_time: 20, last_updated_time: 100, description: '' },
      { name: 'fraud_50%', creation_time: 30, last_updated_time: 200, description: '' },
      { name: 'fraudx50!', creation_time: 40, last_updated_time: 50, description: '' },
    ])
    .execute();
  await db
    .insertInto('registered_model_tags')
    .values([
      { name: 'Churn', key: 'team', value: 'risk' },
      { name: 'churn-v2', key: 'team', value: 'growth' },
      { name: 'fraudx50!', key: 'owner', value: "o'neil" },
    ])
    .execute();
  await db
    .insertInto('model_versions')
    .values([
      version('Churn', 1, 'r1', 'Archived', 10),
      version('Churn', 2, 'r2', 'Production', 20),
      version('Churn', 3, 'r3', 'None', 30),
      version('churn-v2', 1, 'r3', 'Staging', 40),
    ])
    .execute();
  await db
    .insertInto('model_version_tags')
    .values([
      { name: 'Churn', version: 2, key: 'approved', value: 'yes' },
      { name: 'churn-v2', version: 1, key: 'approved', value: 'no' },
    ])
    .execute();
}

describe.each(ENGINES)('registry search on %s', (engine) => {
  let database: SearchDatabase;

  beforeAll(async () => {
    database = await openSearchDatabase(engine);
    await seed(database);
  });

  afterAll(async () => {
    await database?.close();
  });

  async function models(filter: string, orderBy: string[] = []): Promise<string[]> {
    const { db, dialect } = database;
    let qb = db.selectFrom('registered_models').select('registered_models.name');
    qb = applyRegisteredModelFilter(qb, parseRegisteredModelFilter(filter), dialect);
    qb = applyRegisteredModelOrder(qb, parseOrderBy(orderBy, 'models'), dialect);
    return (await qb.execute()).map((r) => r.name);
  }

  async function versions(filter: string, orderBy: string[] = []): Promise<string[]> {
    const { db, dialect } = database;
    let qb = db.selectFrom('model_versions').select(['model_versions.name', 'model_versions.version']);
    qb = applyModelVersionFilter(qb, parseModelVersionFilter(filter), dialect);
    qb = applyModelVersionOrder(qb, parseOrderBy(orderBy, 'versions'), dialect);
    return (await qb.execute()).map((r) => `${r.name}/${r.version}`);
  }

  it('lists registered models by name when there is no order', async () => {
    expect(await models('')).toEqual(['Churn', 'churn-v2', 'fraud_50%', 'fraudx50!']);
  });

  it('matches model names with LIKE case-sensitively and ILIKE case-insensitively', async () => {
    expect(await models("name LIKE 'churn%'")).toEqual(['churn-v2']);
    expect(await models("name ILIKE 'churn%'")).toEqual(['Churn', 'churn-v2']);
    expect(await models("name = 'Churn'")).toEqual(['Churn']);
  });

  it('escapes percent and underscore in model name patterns', async () => {
    expect(await models("name LIKE 'fraud_50%'")).toEqual(['fraud_50%', 'fraudx50!']);
    expect(await models("name LIKE 'fraud\\_50\\%'")).toEqual(['fraud_50%']);
  });

  it('filters registered models by tags', async () => {
    expect(await models("tags.team = 'risk'")).toEqual(['Churn']);
    expect(await models("tags.team LIKE '%r%'")).toEqual(['Churn', 'churn-v2']);
    expect(await models("tags.owner = 'o''neil'")).toEqual(['fraudx50!']);
    expect(await models('tags.team IS NULL')).toEqual(['fraud_50%', 'fraudx50!']);
  });

  it('orders registered models by timestamps', async () => {
    expect(await models('', ['last_updated_timestamp DESC'])).toEqual([
      'Churn',
      'fraud_50%',
      'churn-v2',
      'fraudx50!',
    ]);
    expect(await models('', ['timestamp DESC'])).toEqual(['fraudx50!', 'fraud_50%', 'churn-v2', 'Churn']);
  });

  it('lists model versions by name, newest version first, when there is no order', async () => {
    expect(await versions('')).toEqual(['Churn/3', 'Churn/2', 'Churn/1', 'churn-v2/1']);
  });

  it('filters model versions by name, run id list, version and stage', async () => {
    expect(await versions("name = 'Churn'")).toEqual(['Churn/3', 'Churn/2', 'Churn/1']);
    expect(await versions("run_id IN ('r1', 'r3')")).toEqual(['Churn/3', 'Churn/1', 'churn-v2/1']);
    expect(await versions("name = 'Churn' and version_number >= 2")).toEqual(['Churn/3', 'Churn/2']);
    expect(await versions("current_stage = 'Production'")).toEqual(['Churn/2']);
  });

  it('matches model version sources with LIKE', async () => {
    expect(await versions("source_path LIKE 's3://bucket/churn%'")).toEqual(['churn-v2/1']);
    expect(await versions("source ILIKE 's3://bucket/churn/%'")).toEqual(['Churn/3', 'Churn/2', 'Churn/1']);
  });

  it('filters model versions by their own tags only', async () => {
    expect(await versions("tags.approved = 'yes'")).toEqual(['Churn/2']);
    expect(await versions("tags.approved != 'yes'")).toEqual(['churn-v2/1']);
  });

  it('orders model versions by version number as an integer', async () => {
    expect(await versions("name = 'Churn'", ['version_number ASC'])).toEqual([
      'Churn/1',
      'Churn/2',
      'Churn/3',
    ]);
    expect(await versions('', ['creation_timestamp DESC'])).toEqual([
      'churn-v2/1',
      'Churn/3',
      'Churn/2',
      'Churn/1',
    ]);
  });
});
