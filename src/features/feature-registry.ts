/**
 * The feature registry: versioned feature definitions per project. `plan` shows what applying a
 * repo would change; `apply` stores a new version of every added or changed object and marks
 * removed ones deleted, atomically. Backends implement `FeatureRegistryStore`.
 */
import { type Clock, systemClock } from '../core/clock.js';
import { SlipwayError } from '../core/errors.js';
import { hasChanges, type Plan, planChanges } from './definitions/plan.js';
import type { DefinitionKind, StoredDefinition } from './definitions/spec.js';
import { validateFeatureRepo } from './definitions/validate.js';
import type { FeatureRepo } from './types.js';

/** One version an apply stored (or, for a removal, the version it marked deleted). */
export interface AppliedVersion {
  kind: DefinitionKind;
  name: string;
  version: number;
  action: 'added' | 'changed' | 'removed';
}

export interface ApplyResult {
  plan: Plan;
  /** Empty when the registry already matched the repo. */
  applied: AppliedVersion[];
}

/**
 * What a metadata backend must provide for feature definitions. Versions are unique per
 * (project, kind, name); a store never writes a version that exists already.
 */
export interface FeatureRegistryStore {
  /**
   * The latest version of each object of `project`, by kind then name. Objects whose latest
   * version is deleted are left out unless `includeDeleted` (planning needs them to continue
   * their version numbers).
   */
  listDefinitions(project: string, options?: { includeDeleted?: boolean }): Promise<StoredDefinition[]>;
  /** One version, deleted or not; without `version`, the current one (undefined when deleted). */
  getDefinition<K extends DefinitionKind>(
    project: string,
    kind: K,
    name: string,
    version?: number,
  ): Promise<StoredDefinition<K> | undefined>;
  /** Every version of one object, oldest first. */
  history<K extends DefinitionKind>(project: string, kind: K, name: string): Promise<StoredDefinition<K>[]>;
  /**
   * Stores `plan` in one transaction: each added or changed object at its `toVersion`, each removed
   * one marked deleted at its `fromVersion`. Throws `definitionConflict` (and stores nothing) when
   * the stored definitions are no longer those the plan was made from.
   */
  applyPlan(plan: Plan, time: number): Promise<AppliedVersion[]>;
  /** Every project with stored definitions, sorted. */
  listProjects(): Promise<string[]>;
  /**
   * A cheap token that changes whenever an apply stores or removes a definition of `project`
   * (feature servers poll it to notice applies made by other processes).
   */
  changeToken(project: string): Promise<string>;
}

/**
 * The error a store throws when another apply got there first; `FeatureRegistry.apply` re-plans
 * and tries again.
 */
export function definitionConflict(project: string, kind: DefinitionKind, name: string): SlipwayError {
  return new SlipwayError(
    'INVALID_STATE',
    `The feature definitions of project '${project}' changed while applying (${kind} '${name}'); plan and apply again`,
    { project, kind, name, conflict: true },
  );
}

export function isDefinitionConflict(err: unknown): boolean {
  return err instanceof SlipwayError && err.code === 'INVALID_STATE' && err.details.conflict === true;
}

/**
 * Plans and applies feature repos over a store.
 *
 * @example
 * const registry = new FeatureRegistry(store);
 * const { plan, applied } = await registry.apply(await loadFeatureRepo('features.yaml'));
 * console.log(formatPlan(plan));
 */
export class FeatureRegistry {
  private readonly appliedListeners = new Set<(project: string) => Promise<void> | void>();

  constructor(
    private readonly store: FeatureRegistryStore,
    private readonly clock: Clock = systemClock,
    /** How many times `apply` re-plans after losing a race with a concurrent apply. */
    private readonly maxAttempts = 10,
  ) {}

  /** Validates `repo` and compares it with what its project has stored. */
  async plan(repo: FeatureRepo): Promise<Plan> {
    validateFeatureRepo(repo);
    return planChanges(await this.store.listDefinitions(repo.project, { includeDeleted: true }), repo);
  }

  /**
   * Stores a new version of each changed definition of `repo` and marks removed ones deleted.
   * Applying the same repo again changes nothing. Concurrent applies take turns: the loser
   * re-plans against what the winner stored.
   */
  async apply(repo: FeatureRepo): Promise<ApplyResult> {
    for (let attempt = 1; ; attempt++) {
      const plan = await this.plan(repo);
      if (!hasChanges(plan)) return { plan, applied: [] };
      try {
        const applied = await this.store.applyPlan(plan, this.clock.now());
        // Catalogs of this process refresh before apply returns, so the next read sees the change.
        for (const listener of this.appliedListeners) await listener(repo.project);
        return { plan, applied };
      } catch (err) {
        if (!isDefinitionConflict(err) || attempt >= this.maxAttempts) throw err;
        // Spread retries out so that a crowd of appliers does not collide again in lockstep.
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  /**
   * Calls `listener` after each apply in this process that changed something (awaited before
   * `apply` returns); returns the function that removes it.
   */
  onApplied(listener: (project: string) => Promise<void> | void): () => void {
    this.appliedListeners.add(listener);
    return () => this.appliedListeners.delete(listener);
  }

  /** Every project with stored definitions, sorted. */
  listProjects(): Promise<string[]> {
    return this.store.listProjects();
  }

  /** Changes whenever an apply (in any process) changes `project`'s definitions. */
  changeToken(project: string): Promise<string> {
    return this.store.changeToken(project);
  }

  /** The current definitions of `project`. */
  list(project: string): Promise<StoredDefinition[]> {
    return this.store.listDefinitions(project);
  }

  /** The current version of an object, or `version` of it. */
  get<K extends DefinitionKind>(
    project: string,
    kind: K,
    name: string,
    version?: number,
  ): Promise<StoredDefinition<K> | undefined> {
    return this.store.getDefinition(project, kind, name, version);
  }

  /** Every version of an object, oldest first (the last one flagged `deleted` if it was removed). */
  history<K extends DefinitionKind>(project: string, kind: K, name: string): Promise<StoredDefinition<K>[]> {
    return this.store.history(project, kind, name);
  }
}
