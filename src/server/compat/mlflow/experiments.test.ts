/**
 * The MLflow experiment endpoints beyond what the recorded client session covers (search, update,
 * delete, restore, set-experiment-tag), checked against the wire shapes of MLflow's REST API reference.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../../../test/helpers/control-plane.js';

type Json = Record<string, unknown>;
interface WireExperiment {
  experiment_id: string;
  name: string;
  lifecycle_stage: string;
  tags?: { key: string; value: string }[];
}

describe('MLflow API: experiments', () => {
  let app: FastifyInstance;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ app, close } = await startControlPlane());
  });
  afterAll(() => close?.());

  const post = (path: string, payload: Json, prefix = '/api/2.0/mlflow') =>
    app.inject({ method: 'POST', url: `${prefix}${path}`, payload });
  const get = (path: string, query: Record<string, string>, prefix = '/api/2.0/mlflow') =>
    app.inject({ method: 'GET', url: `${prefix}${path}?${new URLSearchParams(query)}` });

  const create = async (name: string): Promise<string> => {
    const res = await post('/experiments/create', { name });
    expect(res.statusCode).toBe(200);
    const id = res.json().experiment_id;
    expect(typeof id).toBe('string');
    return id;
  };
  const getExperiment = async (id: string): Promise<WireExperiment> => {
    const res = await get('/experiments/get', { experiment_id: id });
    expect(res.statusCode).toBe(200);
    return res.json().experiment;
  };
  const namesOf = (body: { experiments?: WireExperiment[] }) =>
    (body.experiments ?? []).map((e) => e.name).sort();

  describe('search', () => {
    beforeAll(async () => {
      for (const name of ['alpha', 'apricot', 'avocado', 'banana']) await create(name);
      const gone = await create('anise');
      expect((await post('/experiments/delete', { experiment_id: gone })).statusCode).toBe(200);
    });

    it('filters active experiments by name with LIKE over POST', async () => {
      const res = await post('/experiments/search', { filter: "name LIKE 'a%'" });
      expect(res.statusCode).toBe(200);
      expect(namesOf(res.json())).toEqual(['alpha', 'apricot', 'avocado']);
      const [first] = res.json().experiments as Json[];
      expect(first).toMatchObject({ lifecycle_stage: 'active' });
      expect(Number.isInteger(first.creation_time)).toBe(true);
      expect(Number.isInteger(first.last_update_time)).toBe(true);
    });

    it('answers the same search over GET with the query string', async () => {
      const res = await get('/experiments/search', { filter: "name LIKE 'a%'", max_results: '10' });
      expect(res.statusCode).toBe(200);
      expect(namesOf(res.json())).toEqual(['alpha', 'apricot', 'avocado']);
    });

    it('shows deleted experiments only in DELETED_ONLY and ALL views', async () => {
      const filter = "name LIKE 'a%'";
      const deleted = await post('/experiments/search', { filter, view_type: 'DELETED_ONLY' });
      expect(namesOf(deleted.json())).toEqual(['anise']);
      expect(deleted.json().experiments[0].lifecycle_stage).toBe('deleted');
      const all = await get('/experiments/search', { filter, view_type: 'ALL' });
      expect(namesOf(all.json())).toEqual(['alpha', 'anise', 'apricot', 'avocado']);
      const active = await post('/experiments/search', { filter, view_type: 'ACTIVE_ONLY' });
      expect(namesOf(active.json())).toEqual(['alpha', 'apricot', 'avocado']);
    });

    it('pages with max_results and next_page_token until the token disappears', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      for (let pages = 0; pages < 5; pages++) {
        const res = await post('/experiments/search', {
          filter: "name LIKE 'a%'",
          max_results: 2,
          ...(token ? { page_token: token } : {}),
        });
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect((body.experiments ?? []).length).toBeLessThanOrEqual(2);
        seen.push(...namesOf(body));
        token = body.next_page_token;
        if (token === undefined) break;
        expect(typeof token).toBe('string');
      }
      expect(token).toBeUndefined();
      expect(seen.sort()).toEqual(['alpha', 'apricot', 'avocado']);
    });

    it('omits the experiments list when nothing matches', async () => {
      const res = await post('/experiments/search', { filter: "name LIKE 'zzz%'" });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({});
    });

    it('rejects an unknown view_type with 400 INVALID_PARAMETER_VALUE', async () => {
      const res = await post('/experiments/search', { view_type: 'SOMETIMES' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    });
  });

  describe('update', () => {
    it('renames an experiment so get-by-name finds the new name only', async () => {
      const id = await create('before-rename');
      const res = await post('/experiments/update', { experiment_id: id, new_name: 'after-rename' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({});
      expect((await getExperiment(id)).name).toBe('after-rename');
      const byNew = await get('/experiments/get-by-name', { experiment_name: 'after-rename' });
      expect(byNew.json().experiment.experiment_id).toBe(id);
      const byOld = await get('/experiments/get-by-name', { experiment_name: 'before-rename' });
      expect(byOld.statusCode).toBe(404);
      expect(byOld.json().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    });

    it('refuses to rename onto an existing name and keeps the old name working', async () => {
      await create('taken');
      const id = await create('wants-taken');
      const res = await post('/experiments/update', { experiment_id: id, new_name: 'taken' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error_code: 'RESOURCE_ALREADY_EXISTS', message: expect.any(String) });
      const byOld = await get('/experiments/get-by-name', { experiment_name: 'wants-taken' });
      expect(byOld.statusCode).toBe(200);
      expect(byOld.json().experiment.experiment_id).toBe(id);
    });

    it('returns 404 when renaming an unknown experiment', async () => {
      const res = await post('/experiments/update', { experiment_id: '987654', new_name: 'ghost' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    });
  });

  describe('delete and restore', () => {
    it('deletes an experiment with its runs and restores both', async () => {
      const id = await create('short-lived');
      const run = await post('/runs/create', { experiment_id: id, run_name: 'r1' });
      const runId: string = run.json().run.info.run_id;

      expect((await post('/experiments/delete', { experiment_id: id })).json()).toEqual({});
      expect((await getExperiment(id)).lifecycle_stage).toBe('deleted');
      const runAfterDelete = await get('/runs/get', { run_id: runId });
      expect(runAfterDelete.json().run.info.lifecycle_stage).toBe('deleted');
      const activeRuns = await post('/runs/search', { experiment_ids: [id] });
      expect(activeRuns.json()).toEqual({});
      const deletedRuns = await post('/runs/search', { experiment_ids: [id], run_view_type: 'DELETED_ONLY' });
      expect(deletedRuns.json().runs.map((r: { info: Json }) => r.info.run_id)).toEqual([runId]);

      const filter = "name = 'short-lived'";
      expect(namesOf((await post('/experiments/search', { filter })).json())).toEqual([]);
      const deleted = await post('/experiments/search', { filter, view_type: 'DELETED_ONLY' });
      expect(namesOf(deleted.json())).toEqual(['short-lived']);

      expect((await post('/experiments/restore', { experiment_id: id })).json()).toEqual({});
      expect((await getExperiment(id)).lifecycle_stage).toBe('active');
      expect((await get('/runs/get', { run_id: runId })).json().run.info.lifecycle_stage).toBe('active');
      expect(namesOf((await post('/experiments/search', { filter })).json())).toEqual(['short-lived']);
      const restoredDeleted = await post('/experiments/search', { filter, view_type: 'DELETED_ONLY' });
      expect(namesOf(restoredDeleted.json())).toEqual([]);
    });

    it('refuses to rename a deleted experiment with 400 INVALID_STATE', async () => {
      const id = await create('archived-one');
      await post('/experiments/delete', { experiment_id: id });
      const res = await post('/experiments/update', { experiment_id: id, new_name: 'revived' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error_code).toBe('INVALID_STATE');
    });

    it('refuses new runs in a deleted experiment', async () => {
      const id = await create('closed');
      await post('/experiments/delete', { experiment_id: id });
      const res = await post('/runs/create', { experiment_id: id });
      expect(res.statusCode).toBe(400);
      expect(res.json().error_code).toBe('INVALID_STATE');
    });

    it('returns 404 when deleting or restoring an unknown experiment', async () => {
      for (const path of ['/experiments/delete', '/experiments/restore']) {
        const res = await post(path, { experiment_id: '987654' });
        expect(res.statusCode).toBe(404);
        expect(res.json().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
      }
    });
  });

  describe('set-experiment-tag', () => {
    it('sets a tag that experiments/get then shows, overwriting on a second set', async () => {
      const id = await create('tagged');
      expect(
        (
          await post('/experiments/set-experiment-tag', { experiment_id: id, key: 'team', value: 'a' })
        ).json(),
      ).toEqual({});
      await post('/experiments/set-experiment-tag', { experiment_id: id, key: 'team', value: 'b' });
      expect((await getExperiment(id)).tags).toEqual([{ key: 'team', value: 'b' }]);
    });

    it('omits tags from an experiment that has none', async () => {
      const experiment = await getExperiment(await create('untagged'));
      expect(experiment).not.toHaveProperty('tags');
    });

    it('returns 400 naming the field when value is missing', async () => {
      const id = await create('half-tagged');
      const res = await post('/experiments/set-experiment-tag', { experiment_id: id, key: 'team' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(res.json().message).toContain('value');
    });
  });

  it('returns 404 RESOURCE_DOES_NOT_EXIST for an unknown experiment id', async () => {
    const res = await get('/experiments/get', { experiment_id: '987654' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: expect.any(String) });
  });

  it('never takes an empty or non-numeric id for the Default experiment', async () => {
    for (const experiment_id of ['', ' 0', '0x0', 'abc']) {
      expect((await get('/experiments/get', { experiment_id })).statusCode).toBe(404);
      expect((await post('/experiments/delete', { experiment_id })).statusCode).toBe(404);
    }
    expect((await get('/experiments/get', { experiment_id: '0' })).json().experiment.lifecycle_stage).toBe(
      'active',
    );
  });

  it('answers the same routes under /ajax-api/2.0/mlflow', async () => {
    const ajax = '/ajax-api/2.0/mlflow';
    const created = await post('/experiments/create', { name: 'ajax-made' }, ajax);
    expect(created.statusCode).toBe(200);
    const id: string = created.json().experiment_id;
    await post('/experiments/update', { experiment_id: id, new_name: 'ajax-renamed' }, ajax);
    await post('/experiments/set-experiment-tag', { experiment_id: id, key: 'k', value: 'v' }, ajax);
    const found = await get('/experiments/search', { filter: "name LIKE 'ajax%'" }, ajax);
    expect(found.json().experiments).toEqual([
      expect.objectContaining({ experiment_id: id, name: 'ajax-renamed', tags: [{ key: 'k', value: 'v' }] }),
    ]);
    expect((await post('/experiments/delete', { experiment_id: id }, ajax)).statusCode).toBe(200);
    const deleted = await post(
      '/experiments/search',
      { view_type: 'DELETED_ONLY', filter: "name LIKE 'ajax%'" },
      ajax,
    );
    expect(namesOf(deleted.json())).toEqual(['ajax-renamed']);
    expect((await post('/experiments/restore', { experiment_id: id }, ajax)).statusCode).toBe(200);
    const missing = await get('/experiments/get', { experiment_id: '987654' }, ajax);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
