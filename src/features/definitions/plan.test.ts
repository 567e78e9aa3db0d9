import { describe, expect, it } from 'vitest';
import { ridesRepo } from '../../../test/fixtures/features/definitions/rides.js';
import type { FeatureRepo } from '../types.js';
import { formatPlan, hasChanges, type PlannedChange, planChanges } from './plan.js';
import { definitionsOf, type StoredDefinition } from './spec.js';

/** What the registry would hold after applying `repo`, every object at `version`. */
function stored(repo: FeatureRepo, version = 1): StoredDefinition[] {
  return definitionsOf(repo).map((d) => ({
    project: repo.project,
    ...d,
    version,
    createdAt: 0,
    deleted: false,
    changes: [],
    breaking: false,
  }));
}

/** The rides repo after `edit`. */
function edited(edit: (repo: FeatureRepo) => void): FeatureRepo {
  const repo = ridesRepo();
  edit(repo);
  return repo;
}

const view = (repo: FeatureRepo, name: string) => repo.featureViews.find((v) => v.name === name)!;
const changeOf = (changes: PlannedChange[], name: string) => changes.find((c) => c.name === name)!;

describe('planChanges', () => {
  it('adds every object at version 1 to an empty registry', () => {
    const plan = planChanges([], ridesRepo());
    expect(plan.counts).toEqual({ added: 11, changed: 0, unchanged: 0, removed: 0 });
    expect(plan.breaking).toBe(false);
    expect(plan.changes.map((c) => `${c.kind} ${c.name} v${c.toVersion}`).slice(0, 3)).toEqual([
      'entity customer v1',
      'entity driver v1',
      'data_source customer_csv v1',
    ]);
    expect(changeOf(plan.changes, 'trips').spec).toMatchObject({ name: 'trips', ttlSeconds: 3_600 });
  });

  it('finds nothing to do when the registry matches the repo', () => {
    const plan = planChanges(stored(ridesRepo()), ridesRepo());
    expect(hasChanges(plan)).toBe(false);
    expect(plan.counts.unchanged).toBe(11);
  });

  it('describes a change field by field and numbers the next version', () => {
    const plan = planChanges(
      stored(ridesRepo(), 2),
      edited((r) => {
        view(r, 'trips').ttlSeconds = 7_200;
        view(r, 'trips').schema.push({ name: 'tip', type: 'float64' });
        view(r, 'trips').tags = { team: 'pricing' };
      }),
    );
    expect(changeOf(plan.changes, 'trips')).toMatchObject({
      action: 'changed',
      fromVersion: 2,
      toVersion: 3,
      breaking: false,
      diff: [
        { summary: 'schema.tip added (float64)', breaking: false },
        { summary: 'tags.team (none) → pricing', breaking: false },
        { summary: 'ttlSeconds 3600 → 7200', breaking: false },
      ],
    });
  });

  it('flags a changed feature type and a removed feature as breaking', () => {
    const plan = planChanges(
      stored(ridesRepo(), 2),
      edited((r) => {
        view(r, 'trips').schema = [{ name: 'avg_fare', type: 'float32' }];
      }),
    );
    expect(plan.breaking).toBe(true);
    expect(changeOf(plan.changes, 'trips').reasons).toEqual([
      'schema.avg_fare type float64 → float32',
      'schema.vehicle removed',
    ]);
  });

  it('flags a changed join key and a view keyed by other entities as breaking', () => {
    const plan = planChanges(
      stored(ridesRepo()),
      edited((r) => {
        r.entities[0].joinKeys[0].type = 'string';
        view(r, 'customer_profile').entities = ['customer', 'driver'];
      }),
    );
    expect(changeOf(plan.changes, 'driver').reasons).toEqual(['joinKeys.driver_id type int64 → string']);
    expect(changeOf(plan.changes, 'customer_profile').reasons).toEqual(['entities added driver']);
  });

  it('flags removing a view a service uses, and removing a service, as breaking', () => {
    const plan = planChanges(
      stored(ridesRepo()),
      edited((r) => {
        r.featureServices = [];
        r.featureViews = r.featureViews.filter((v) => v.name !== 'trips');
        r.sources = r.sources.filter((s) => s.name !== 'trips_table');
      }),
    );
    expect(plan.counts).toMatchObject({ removed: 3, changed: 0 });
    expect(changeOf(plan.changes, 'trips')).toMatchObject({
      action: 'removed',
      fromVersion: 1,
      reasons: ['used by feature_service driver_ranking'],
    });
    expect(changeOf(plan.changes, 'driver_ranking')).toMatchObject({ action: 'removed', breaking: true });
    expect(changeOf(plan.changes, 'trips_table')).toMatchObject({ action: 'removed', breaking: false });
  });

  it('flags a service that stops serving a feature as breaking, but not one that adds a feature', () => {
    const plan = planChanges(
      stored(ridesRepo()),
      edited((r) => {
        r.featureServices[0].features = [
          'driver_stats:*',
          'trips:vehicle',
          'conv_adjusted:conv_rate_adjusted',
        ];
      }),
    );
    expect(changeOf(plan.changes, 'driver_ranking').diff).toEqual([
      { summary: 'features removed trips:avg_fare', breaking: true },
      { summary: 'features added trips:vehicle', breaking: false },
    ]);
  });

  it('continues the version numbers of a deleted object that comes back', () => {
    const current = stored(ridesRepo(), 4).map((d) => (d.name === 'trips' ? { ...d, deleted: true } : d));
    const plan = planChanges(current, ridesRepo());
    expect(changeOf(plan.changes, 'trips')).toMatchObject({ action: 'added', toVersion: 5 });
    expect(plan.counts).toMatchObject({ added: 1, unchanged: 10 });
  });
});

describe('formatPlan', () => {
  it('prints one line per change like terraform plan, marking breaking ones', () => {
    const plan = planChanges(
      stored(ridesRepo(), 2),
      edited((r) => {
        view(r, 'trips').schema[0].type = 'float32';
        r.featureViews.push({ ...view(r, 'customer_profile'), name: 'customer_stats' });
        r.featureServices = [];
      }),
    );
    expect(formatPlan(plan)).toBe(
      [
        '+ feature_view customer_stats (v1)',
        '~ feature_view trips (v2 → v3): schema.avg_fare type float64 → float32 [BREAKING]',
        '- feature_service driver_ranking: models may consume it [BREAKING]',
        '',
        'Plan for project rides: 1 to add, 1 to change, 1 to remove, 9 unchanged. 2 breaking (marked [BREAKING]).',
      ].join('\n'),
    );
  });

  it('lists several differences of one object on their own lines', () => {
    const plan = planChanges(
      stored(ridesRepo()),
      edited((r) => {
        view(r, 'trips').owner = 'pricing';
        view(r, 'trips').online = true;
      }),
    );
    expect(formatPlan(plan).split('\n').slice(0, 3)).toEqual([
      '~ feature_view trips (v1 → v2):',
      '    online false → true',
      '    owner (none) → pricing',
    ]);
  });

  it('says when there is nothing to do', () => {
    expect(formatPlan(planChanges(stored(ridesRepo()), ridesRepo()))).toBe(
      'Plan for project rides: 0 to add, 0 to change, 0 to remove, 11 unchanged.\nNo changes: the registry matches the definitions.',
    );
  });
});
