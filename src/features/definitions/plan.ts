/**
 * What applying a feature repo would change, object by object, like `terraform plan`: added,
 * changed (with a field-level diff), unchanged, removed — and which changes break consumers
 * (training code, online reads, models behind a feature service).
 */
import type { FeatureRepo } from '../types.js';
import { diffSpecs, type FieldChange } from './diff.js';
import {
  DEFINITION_KINDS,
  type DefinitionKind,
  type DefinitionSpecs,
  definitionsOf,
  type StoredDefinition,
  type StoredDefinitions,
} from './spec.js';

export type ChangeAction = 'added' | 'changed' | 'unchanged' | 'removed';

/** One line of a change: a field-level difference, or why a removal breaks something. */
export interface DiffLine {
  summary: string;
  breaking: boolean;
}

export interface PlannedChange<K extends DefinitionKind = DefinitionKind> {
  kind: K;
  name: string;
  action: ChangeAction;
  /** The current version (absent for an added object). */
  fromVersion?: number;
  /** The version apply will store (absent for unchanged and removed objects). */
  toVersion?: number;
  /** The spec apply will store (absent for a removed object). */
  spec?: DefinitionSpecs[K];
  diff: DiffLine[];
  breaking: boolean;
  /** The breaking lines' summaries. */
  reasons: string[];
}

export interface Plan {
  project: string;
  /** Every object of the repo and every removed one, by kind then name. */
  changes: PlannedChange[];
  breaking: boolean;
  counts: Record<ChangeAction, number>;
}

/** True when applying `plan` would store anything. */
export function hasChanges(plan: Plan): boolean {
  return plan.changes.some((c) => c.action !== 'unchanged');
}

/** Whether a field-level change breaks consumers of this kind of object. */
function isBreaking(kind: DefinitionKind, c: FieldChange): boolean {
  const [field, , sub] = c.path;
  const whole = c.path.length === 2;
  switch (kind) {
    case 'entity':
      // Join keys make up the entity key rows are stored and joined under (their order does not).
      return field === 'joinKeys' && c.op !== 'reordered';
    case 'feature_view':
      if (field === 'entities') return c.op !== 'reordered';
      if (field === 'online') return c.after === false;
      return field === 'schema' && ((c.op === 'removed' && whole) || sub === 'type');
    case 'on_demand_feature_view':
      // Callers must send a new request field; a removed one is merely ignored.
      if (field === 'requestSchema') return (c.op === 'added' && whole) || sub === 'type';
      return field === 'schema' && ((c.op === 'removed' && whole) || sub === 'type');
    case 'feature_service':
      return field === 'features' && c.op === 'removed';
    default:
      return false;
  }
}

/** Services (as currently stored) that read a view, and on-demand views whose inputs come from it. */
function usersOf(view: string, current: StoredDefinitions): string[] {
  const users: string[] = [];
  for (const d of current) {
    if (d.deleted) continue;
    if (d.kind === 'feature_service') {
      const spec = d.spec as DefinitionSpecs['feature_service'];
      if (spec.features.some((f) => f.split(':')[0] === view)) users.push(`feature_service ${d.name}`);
    } else if (d.kind === 'on_demand_feature_view') {
      const spec = d.spec as DefinitionSpecs['on_demand_feature_view'];
      if (spec.sources.some((f) => f.split(':')[0] === view)) users.push(`on_demand_feature_view ${d.name}`);
    }
  }
  return users;
}

/**
 * Compares the stored definitions of a project with `next` (a validated repo of that project).
 *
 * @example
 * const plan = planChanges(await store.listDefinitions('rides', { includeDeleted: true }), repo);
 * console.log(formatPlan(plan));
 */
export function planChanges(current: StoredDefinitions, next: FeatureRepo): Plan {
  const key = (kind: string, name: string) => `${kind}\u0000${name}`;
  const latest = new Map<string, StoredDefinition>(current.map((d) => [key(d.kind, d.name), d]));
  const changes: PlannedChange[] = [];
  const seen = new Set<string>();

  for (const obj of definitionsOf(next)) {
    const k = key(obj.kind, obj.name);
    seen.add(k);
    const stored = latest.get(k);
    const base = { kind: obj.kind, name: obj.name, spec: obj.spec } as const;
    if (!stored || stored.deleted) {
      const toVersion = (stored?.version ?? 0) + 1;
      changes.push({ ...base, action: 'added', toVersion, diff: [], breaking: false, reasons: [] });
      continue;
    }
    const diff = diffSpecs(stored.spec, obj.spec).map((c) => ({
      summary: c.summary,
      breaking: isBreaking(obj.kind, c),
    }));
    const action = diff.length === 0 ? 'unchanged' : 'changed';
    const reasons = diff.filter((d) => d.breaking).map((d) => d.summary);
    changes.push({
      ...base,
      action,
      fromVersion: stored.version,
      ...(action === 'changed' ? { toVersion: stored.version + 1 } : {}),
      diff,
      breaking: reasons.length > 0,
      reasons,
    });
  }

  for (const stored of current) {
    if (stored.deleted || seen.has(key(stored.kind, stored.name))) continue;
    const diff: DiffLine[] = [];
    if (stored.kind === 'feature_service') diff.push({ summary: 'models may consume it', breaking: true });
    if (stored.kind === 'feature_view' || stored.kind === 'on_demand_feature_view')
      for (const user of usersOf(stored.name, current))
        diff.push({ summary: `used by ${user}`, breaking: true });
    const reasons = diff.map((d) => d.summary);
    changes.push({
      kind: stored.kind,
      name: stored.name,
      action: 'removed',
      fromVersion: stored.version,
      diff,
      breaking: reasons.length > 0,
      reasons,
    });
  }

  const order = (c: PlannedChange) => DEFINITION_KINDS.indexOf(c.kind);
  changes.sort((a, b) => order(a) - order(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const counts: Record<ChangeAction, number> = { added: 0, changed: 0, unchanged: 0, removed: 0 };
  for (const c of changes) counts[c.action]++;
  return { project: next.project, changes, breaking: changes.some((c) => c.breaking), counts };
}

const SYMBOL: Record<ChangeAction, string> = { added: '+', changed: '~', removed: '-', unchanged: ' ' };

/**
 * The plan for people: one line per added, changed or removed object (unchanged ones are only
 * counted), each difference on its own line when there are several, breaking ones marked.
 *
 * @example
 * + feature_view driver_stats (v1)
 * ~ feature_view trips (v2 → v3): schema.avg_fare type float32 → float64 [BREAKING]
 * - feature_service old: models may consume it [BREAKING]
 */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  const mark = (d: DiffLine) => (d.breaking ? `${d.summary} [BREAKING]` : d.summary);
  for (const c of plan.changes) {
    if (c.action === 'unchanged') continue;
    let head = `${SYMBOL[c.action]} ${c.kind} ${c.name}`;
    if (c.action === 'added') head += ` (v${c.toVersion})`;
    if (c.action === 'changed') head += ` (v${c.fromVersion} → v${c.toVersion})`;
    if (c.diff.length === 0) lines.push(head);
    else if (c.diff.length === 1) lines.push(`${head}: ${mark(c.diff[0])}`);
    else lines.push(`${head}:`, ...c.diff.map((d) => `    ${mark(d)}`));
  }
  const { added, changed, removed, unchanged } = plan.counts;
  const breaking = plan.changes.filter((c) => c.breaking).length;
  let summary = `Plan for project ${plan.project}: ${added} to add, ${changed} to change, ${removed} to remove, ${unchanged} unchanged.`;
  if (breaking > 0) summary += ` ${breaking} breaking (marked [BREAKING]).`;
  if (lines.length === 0) return `${summary}\nNo changes: the registry matches the definitions.`;
  return `${lines.join('\n')}\n\n${summary}`;
}
