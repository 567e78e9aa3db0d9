import { describe, expect, it } from 'vitest';
import { ridesRepo } from '../../../test/fixtures/features/definitions/rides.js';
import type { FeatureRepo, FeatureValueType } from '../types.js';
import { validateFeatureRepo } from './validate.js';

/** The rides repo after `edit`, validated: the error's message, or undefined when valid. */
function problemsAfter(edit: (repo: FeatureRepo) => void): string | undefined {
  const repo = ridesRepo();
  edit(repo);
  try {
    validateFeatureRepo(repo);
    return undefined;
  } catch (err) {
    expect(err).toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    return (err as Error).message;
  }
}

const view = (repo: FeatureRepo, name: string) => repo.featureViews.find((v) => v.name === name)!;

describe('validateFeatureRepo', () => {
  it('accepts a consistent repo', () => {
    expect(problemsAfter(() => {})).toBeUndefined();
  });

  it('names the view, the unknown entity and the known entities', () => {
    expect(
      problemsAfter((r) => {
        view(r, 'driver_stats').entities = ['drivr'];
      }),
    ).toBe("Feature view 'driver_stats' names unknown entity 'drivr': known entities are driver, customer");
  });

  it('lists the known sources for an unknown source', () => {
    expect(
      problemsAfter((r) => {
        view(r, 'trips').source = 'trip_table';
      }),
    ).toBe(
      "Feature view 'trips' names unknown source 'trip_table': known sources are driver_hourly, trips_table, driver_push, customer_csv",
    );
  });

  it('checks the view and feature of every service reference', () => {
    const message = problemsAfter((r) => {
      r.featureServices[0].features = ['driver_stat:*', 'trips:avg_far', 'trips', 'conv_adjusted:*'];
    });
    expect(message).toMatch(/^3 problems in the feature definitions:/);
    expect(message).toContain(
      "Feature service 'driver_ranking' names unknown feature view 'driver_stat' in 'driver_stat:*': known feature views are driver_stats, trips, customer_profile, conv_adjusted",
    );
    expect(message).toContain(
      "Feature service 'driver_ranking' names unknown feature 'avg_far' of feature view 'trips': its features are avg_fare, vehicle",
    );
    expect(message).toContain(
      "Feature service 'driver_ranking' has invalid feature reference \"trips\": expected 'view:feature' or 'view:*'",
    );
  });

  it('requires on-demand sources to name features of stored views', () => {
    expect(
      problemsAfter((r) => {
        r.onDemandFeatureViews[0].sources = ['conv_adjusted:conv_rate_adjusted'];
      }),
    ).toMatch(/On-demand feature view 'conv_adjusted' names unknown feature view 'conv_adjusted'/);
    expect(
      problemsAfter((r) => {
        r.onDemandFeatureViews[0].sources = ['driver_stats:*'];
      }),
    ).toMatch(/invalid feature reference "driver_stats:\*": expected 'view:feature'$/);
  });

  it('requires names to be unique per kind but lets different kinds share one', () => {
    expect(
      problemsAfter((r) => {
        r.featureViews.push({ ...view(r, 'trips') });
      }),
    ).toBe("Feature view 'trips' is declared twice");
    expect(
      problemsAfter((r) => {
        r.onDemandFeatureViews[0].name = 'trips';
        r.featureServices[0].features = ['trips:avg_fare'];
      }),
    ).toContain("On-demand feature view 'trips' has the name of a feature view");
    expect(
      problemsAfter((r) => {
        r.entities[0].name = 'driver_stats';
        view(r, 'driver_stats').entities = ['driver_stats'];
        view(r, 'trips').entities = ['driver_stats', 'customer'];
      }),
    ).toBeUndefined();
  });

  it('rejects names that are not identifiers', () => {
    expect(
      problemsAfter((r) => {
        r.project = 'ride-share';
      }),
    ).toMatch(
      /Project 'ride-share' has invalid project name "ride-share": use letters, digits and underscores/,
    );
    expect(
      problemsAfter((r) => {
        view(r, 'driver_stats').schema[0].name = '1st_rate';
      }),
    ).toMatch(/Feature view 'driver_stats' has invalid schema feature name "1st_rate"/);
  });

  it('lists the valid types for an unknown type', () => {
    expect(
      problemsAfter((r) => {
        view(r, 'trips').schema[0].type = 'float' as FeatureValueType;
      }),
    ).toBe(
      "Feature view 'trips' field 'schema.avg_fare.type' has type \"float\": valid types are int64, int32, float64, float32, string, bool, timestamp",
    );
    expect(
      problemsAfter((r) => {
        r.entities[1].joinKeys[0].type = 'uuid' as FeatureValueType;
      }),
    ).toMatch(/^Entity 'customer' field 'joinKeys.customer_id.type' has type "uuid"/);
  });

  it('rejects a negative TTL, bad constraints and a feature shadowing a join key', () => {
    const message = problemsAfter((r) => {
      view(r, 'trips').ttlSeconds = -1;
      view(r, 'driver_stats').schema[0].constraints = { min: 1, max: 0, maxNullShare: 2 };
      view(r, 'customer_profile').schema.push({ name: 'customer_id', type: 'string' });
    });
    expect(message).toContain("Feature view 'trips' needs a TTL of 0 or more whole seconds, got -1");
    expect(message).toContain("Feature view 'driver_stats' has min 1 above max 0");
    expect(message).toContain('needs a max null share between 0 and 1, got 2');
    expect(message).toContain("Feature view 'customer_profile' declares 'customer_id' twice");
  });

  it('checks source settings by kind', () => {
    expect(
      problemsAfter((r) => {
        r.sources[1] = {
          kind: 'postgres',
          name: 'trips_table',
          table: 'trips',
          query: 'SELECT 1',
          timestampField: 'ts',
        };
      }),
    ).toBe("Source 'trips_table' needs exactly one of 'table' and 'query'");
    expect(
      problemsAfter((r) => {
        r.sources[2] = { kind: 'push', name: 'driver_push', batchSource: 'trips_tabel' };
      }),
    ).toBe(
      "Source 'driver_push' names unknown batch source 'trips_tabel': known file or PostgreSQL sources are driver_hourly, trips_table, customer_csv",
    );
  });

  it('reports every problem at once, with the first one in the details', () => {
    const repo = ridesRepo();
    view(repo, 'trips').source = 'nowhere';
    repo.entities[0].joinKeys = [];
    try {
      validateFeatureRepo(repo);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({
        details: {
          object: "entity 'driver'",
          field: 'joinKeys',
          problems: [{ object: "entity 'driver'" }, { object: "feature view 'trips'", field: 'source' }],
        },
      });
    }
  });
});
