import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOrderBy } from '../../../tracking/search/order-by-parser.js';
import { parseExperimentFilter } from '../../../tracking/search/registry-filter-parser.js';
import { applyExperimentFilter, applyExperimentOrder } from './experiment-search.js';
import { ENGINES, openSearchDatabase, type SearchDatabase } from './search-databases.suite.js';

const experiment = (
  experiment_id: number,
  name: string,
  creation_time: number,
  last_update_time: number,
) => ({
  experiment_id,
  name,
  artifact_location: `file:///mlruns/${experiment_id}`,
  lifecycle_stage: 'active',
  creation_time,
  last_update_time,
});

async function seed({ db }: SearchDatabase): Promise<void> {
  await db
    .insertInto('experiments')
    .values([
      experiment(1, 'Default', 100, 900),
      experiment(2, 'fraud', 200, 800),
      experiment(3, 'Fraud-v2', 300, 700),
      experiment(4, 'churn [50%]', 400, 600),
    ])
    .execute();
  await db
    .insertInto('experiment_tags')
    .values([
      { experiment_id: 2, key: 'team', value: 'risk' },
      { experiment_id: 3, key: 'team', value: 'Risk' },
      { experiment_id: 4, key: 'mlflow.note.content', value: 'a "quoted" note' },
    ])
    .execute();
}

describe.each(ENGINES)('experiment search on %s', (engine) => {
  let database: SearchDatabase;

  beforeAll(async () => {
    database = await openSearchDatabase(engine);
    await seed(database);
  });

  afterAll(async () => {
    await database?.close();
  });

  async function ids(filter: string, orderBy: string[] = []): Promise<number[]> {
    const { db, dialect } = database;
    let qb = db.selectFrom('experiments').select('experiments.experiment_id');
    qb = applyExperimentFilter(qb, parseExperimentFilter(filter), dialect);
    qb = applyExperimentOrder(qb, parseOrderBy(orderBy, 'experiments'), dialect);
    return (await qb.execute()).map((r) => Number(r.experiment_id));
  }

  it('lists experiments by id when there is no filter or order', async () => {
    expect(await ids('')).toEqual([1, 2, 3, 4]);
  });

  it('matches names with LIKE case-sensitively and ILIKE case-insensitively', async () => {
    expect(await ids("name LIKE 'fraud%'")).toEqual([2]);
    expect(await ids("attributes.name ILIKE 'fraud%'")).toEqual([2, 3]);
    expect(await ids("name != 'Default'")).toEqual([2, 3, 4]);
  });

  it('matches brackets and an escaped percent sign in a name literally', async () => {
    expect(await ids("name LIKE 'churn [50\\%]'")).toEqual([4]);
    expect(await ids("name LIKE '%[%'")).toEqual([4]);
  });

  it('compares creation and last update times', async () => {
    expect(await ids('attributes.creation_time > 150 and last_update_time >= 700')).toEqual([2, 3]);
    expect(await ids('creationTime <= 100')).toEqual([1]);
  });

  it('filters by tags, case-sensitively unless ILIKE', async () => {
    expect(await ids("tags.team = 'risk'")).toEqual([2]);
    expect(await ids("tags.team ILIKE 'RISK'")).toEqual([2, 3]);
    expect(await ids(`tags."mlflow.note.content" LIKE '%"quoted"%'`)).toEqual([4]);
  });

  it('orders by name, creation time and last update time', async () => {
    expect(await ids('', ['name'])).toEqual([1, 3, 4, 2]);
    expect(await ids('', ['creation_time DESC'])).toEqual([4, 3, 2, 1]);
    expect(await ids('', ['attributes.last_update_time ASC'])).toEqual([4, 3, 2, 1]);
  });
});
