import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunFilter } from '../../../tracking/search/filter-parser.js';
import { parseOrderBy } from '../../../tracking/search/order-by-parser.js';
import { decodePageToken, encodePageToken } from '../../../tracking/search/page-token.js';
import { applyRunFilter, applyRunOrder } from './run-search.js';
import { ENGINES, openSearchDatabase, type SearchDatabase } from './search-databases.suite.js';

const run = (
  run_id: string,
  run_name: string,
  status: string,
  user_id: string,
  start: number,
  end: number | null,
) => ({
  run_id,
  experiment_id: 1,
  run_name,
  user_id,
  status,
  start_time: start,
  end_time: end,
  deleted_time: null,
  artifact_uri: `file:///mlruns/1/${run_id}/artifacts`,
  lifecycle_stage: 'active',
});

const metric = (run_id: string, key: string, value: number) => ({
  run_id,
  key,
  value: Number.isNaN(value) ? 0 : value,
  timestamp: 1,
  step: 0,
  is_nan: Number.isNaN(value) ? 1 : 0,
});

const context = (value: string) => JSON.stringify([{ key: 'mlflow.data.context', value }]);

async function seed({ db }: SearchDatabase): Promise<void> {
  await db
    .insertInto('runs')
    .values([
      run('r1', 'Alpha', 'FINISHED', 'ana', 1000, 2000),
      run('r2', 'alpha-2', 'RUNNING', 'bob', 2000, null),
      run('r3', 'beta*[1]?', 'FAILED', 'ana', 3000, 4000),
      run('r4', 'gamma_1', 'FINISHED', 'cy', 4000, 5000),
      run('r5', 'gammax1', 'KILLED', 'cy', 500, 600),
    ])
    .execute();
  await db
    .insertInto('latest_metrics')
    .values([
      metric('r1', 'acc', 0.95),
      metric('r1', 'loss', 0.1),
      metric('r2', 'acc', 0.8),
      metric('r2', 'my-metric', 5),
      metric('r3', 'acc', Number.NaN),
      metric('r5', 'acc', 0.5),
    ])
    .execute();
  await db
    .insertInto('params')
    .values([
      { run_id: 'r1', key: 'lr', value: '0.01' },
      { run_id: 'r1', key: 'opt', value: 'Adam' },
      { run_id: 'r2', key: 'lr', value: '0.1' },
      { run_id: 'r2', key: 'opt', value: 'adam' },
      { run_id: 'r4', key: 'lr', value: '0.001' },
      { run_id: 'r5', key: 'lr', value: '0.5' },
    ])
    .execute();
  await db
    .insertInto('tags')
    .values([
      { run_id: 'r1', key: 'team', value: 'x' },
      { run_id: 'r1', key: 'mlflow.user', value: 'ana' },
      { run_id: 'r1', key: 'note', value: "it's 50% done" },
      { run_id: 'r2', key: 'team', value: 'y' },
      { run_id: 'r3', key: 'team', value: 'x' },
      { run_id: 'r3', key: 'quote', value: `say "hi" o'neil` },
      { run_id: 'r5', key: 'note', value: 'it is 50 percent done' },
    ])
    .execute();
  const dataset = (dataset_id: string, name: string, digest: string) => ({
    dataset_id,
    experiment_id: 1,
    name,
    digest,
    source_type: 'local',
    source: '{}',
    schema: null,
    profile: null,
  });
  await db
    .insertInto('datasets')
    .values([dataset('d1', 'train', 'aa11'), dataset('d2', 'eval', 'bb22')])
    .execute();
  await db
    .insertInto('run_inputs')
    .values([
      { run_id: 'r1', dataset_id: 'd1', tags: context('training') },
      { run_id: 'r2', dataset_id: 'd2', tags: context('evaluation') },
      { run_id: 'r4', dataset_id: 'd1', tags: '[]' },
    ])
    .execute();
}

describe.each(ENGINES)('run search on %s', (engine) => {
  let database: SearchDatabase;

  beforeAll(async () => {
    database = await openSearchDatabase(engine);
    await seed(database);
  });

  afterAll(async () => {
    await database?.close();
  });

  function query(filter: string, orderBy: string[] = []) {
    const { db, dialect } = database;
    let qb = db.selectFrom('runs').select('runs.run_id');
    qb = applyRunFilter(qb, parseRunFilter(filter), dialect);
    return applyRunOrder(qb, parseOrderBy(orderBy, 'runs'), dialect);
  }

  async function ids(filter: string, orderBy: string[] = []): Promise<string[]> {
    return (await query(filter, orderBy).execute()).map((r) => r.run_id);
  }

  it('finds the run matching the example filter from the issue', async () => {
    const filter =
      "metrics.acc > 0.9 and params.lr = '0.01' and tags.team = 'x' and attributes.status = 'FINISHED'";
    expect(await ids(filter)).toEqual(['r1']);
  });

  it('lists every run newest first when there is no filter', async () => {
    expect(await ids('')).toEqual(['r4', 'r3', 'r2', 'r1', 'r5']);
  });

  it('compares the latest metric value and skips NaN values', async () => {
    expect(await ids('metrics.acc < 0.9')).toEqual(['r2', 'r5']);
    expect(await ids('metrics.acc != 0.8')).toEqual(['r1', 'r5']);
    expect(await ids('metrics.loss > -1')).toEqual(['r1']);
    expect(await ids('metrics.`my-metric` >= 5')).toEqual(['r2']);
  });

  it('treats IS NULL as a key the run never logged', async () => {
    expect(await ids('metrics.acc IS NULL')).toEqual(['r4']);
    expect(await ids('params.lr IS NULL')).toEqual(['r3']);
    expect(await ids('tags.team IS NOT NULL')).toEqual(['r3', 'r2', 'r1']);
  });

  it('matches LIKE case-sensitively and ILIKE case-insensitively', async () => {
    expect(await ids("params.opt LIKE 'a%'")).toEqual(['r2']);
    expect(await ids("params.opt ILIKE 'a%'")).toEqual(['r2', 'r1']);
    expect(await ids("run_name LIKE 'alpha%'")).toEqual(['r2']);
    expect(await ids("attributes.run_name ILIKE 'ALPHA%'")).toEqual(['r2', 'r1']);
  });

  it('treats _ as one character and a backslash-escaped _ as a literal', async () => {
    expect(await ids("run_name LIKE 'gamma_1'")).toEqual(['r4', 'r5']);
    expect(await ids("run_name LIKE 'gamma\\_1'")).toEqual(['r4']);
    expect(await ids("run_name ILIKE 'GAMMA\\_1'")).toEqual(['r4']);
  });

  it('matches glob metacharacters in a LIKE pattern literally', async () => {
    expect(await ids("run_name LIKE 'beta*[1]?'")).toEqual(['r3']);
    expect(await ids("run_name LIKE 'b*'")).toEqual([]);
    expect(await ids("run_name LIKE 'beta%?'")).toEqual(['r3']);
  });

  it('binds values containing quotes and percent signs as parameters', async () => {
    expect(await ids("tags.note = 'it''s 50% done'")).toEqual(['r1']);
    expect(await ids("tags.note LIKE '%50\\% done'")).toEqual(['r1']);
    expect(await ids("tags.note LIKE '%50% done'")).toEqual(['r1', 'r5']);
    expect(await ids(`tags.quote = 'say "hi" o''neil'`)).toEqual(['r3']);
    const compiled = query("tags.quote = 'say \"hi\" o''neil'").compile();
    expect(compiled.sql).not.toContain('neil');
    expect(compiled.parameters).toContain(`say "hi" o'neil`);
  });

  it('filters by IN and NOT IN lists', async () => {
    expect(await ids("run_id IN ('r1', 'r3')")).toEqual(['r3', 'r1']);
    expect(await ids("attributes.run_id NOT IN ('r1', 'r3')")).toEqual(['r4', 'r2', 'r5']);
    expect(await ids("params.lr IN ('0.1', '0.001')")).toEqual(['r4', 'r2']);
    expect(await ids("tags.team NOT IN ('x')")).toEqual(['r2']);
  });

  it('compares numeric attributes and the created alias', async () => {
    expect(await ids('attributes.start_time > 1000 AND start_time <= 3000')).toEqual(['r3', 'r2']);
    expect(await ids('created < 1000')).toEqual(['r5']);
    expect(await ids('end_time >= 4000')).toEqual(['r4', 'r3']);
    expect(await ids("status = 'FINISHED' and user_id != 'ana'")).toEqual(['r4']);
  });

  it('reads quoted keys containing dots', async () => {
    expect(await ids(`tags."mlflow.user" = 'ana'`)).toEqual(['r1']);
    expect(await ids("tags.`mlflow.user` LIKE 'a%'")).toEqual(['r1']);
  });

  it('filters by dataset name, digest and context', async () => {
    expect(await ids("datasets.name = 'train'")).toEqual(['r4', 'r1']);
    expect(await ids("datasets.digest IN ('bb22')")).toEqual(['r2']);
    expect(await ids("datasets.context = 'evaluation'")).toEqual(['r2']);
    expect(await ids("datasets.context LIKE 'train%'")).toEqual(['r1']);
  });

  it('orders by a metric with NaN after numbers and missing values last', async () => {
    expect(await ids('', ['metrics.acc DESC'])).toEqual(['r1', 'r2', 'r5', 'r3', 'r4']);
    expect(await ids('', ['metrics.acc'])).toEqual(['r5', 'r2', 'r1', 'r3', 'r4']);
  });

  it('orders by params and tags with runs lacking the key last in both directions', async () => {
    expect(await ids('', ['params.lr ASC'])).toEqual(['r4', 'r1', 'r2', 'r5', 'r3']);
    expect(await ids('', ['params.lr DESC'])).toEqual(['r5', 'r2', 'r1', 'r4', 'r3']);
    expect(await ids('', ['tags.team'])).toEqual(['r3', 'r1', 'r2', 'r4', 'r5']);
  });

  it('orders by attributes with null end times last', async () => {
    expect(await ids('', ['attributes.end_time ASC'])).toEqual(['r5', 'r1', 'r3', 'r4', 'r2']);
    expect(await ids('', ['end_time DESC'])).toEqual(['r4', 'r3', 'r1', 'r5', 'r2']);
    expect(await ids('', ['runName'])).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('pages through an ordered search with page tokens', async () => {
    const pageSize = 2;
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const offset = decodePageToken(token);
      const rows = await query('', ['metrics.acc DESC'])
        .limit(pageSize + 1)
        .offset(offset)
        .execute();
      seen.push(...rows.slice(0, pageSize).map((r) => r.run_id));
      token = rows.length > pageSize ? encodePageToken(offset + pageSize) : undefined;
    } while (token);
    expect(seen).toEqual(['r1', 'r2', 'r5', 'r3', 'r4']);
  });

  it('rejects a clause the run search cannot express', () => {
    const { db, dialect } = database;
    const qb = db.selectFrom('runs').select('runs.run_id');
    expect(() =>
      applyRunFilter(qb, [{ type: 'dataset', key: 'schema', comparator: '=', value: 'x' }], dialect),
    ).toThrow(/Searching runs by dataset 'schema'/);
    expect(() =>
      applyRunFilter(qb, [{ type: 'attribute', key: 'deleted_time', comparator: '=', value: 1 }], dialect),
    ).toThrow(/attribute 'deleted_time'/);
  });
});
