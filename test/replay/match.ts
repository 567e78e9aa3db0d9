/**
 * Does our response have MLflow's wire shape? Every recorded field must be present with the same
 * JSON type (ids and versions strings, times integers, floats numbers), and every recorded value
 * that is not volatile must be equal once recorded ids are rewritten to ours. A recorded list's
 * shown elements must each match some element of ours (order may differ; lengths are not
 * compared). Fields we emit beyond the recording are collected, not refused: the client ignores them.
 */
import type { Expected } from './annotated.js';
import { type IdMap, isRecord } from './substitution.js';

export interface MatchResult {
  /** One line per difference: `response.model_version.version: expected "1", got 1`. */
  mismatches: string[];
  /** Paths of fields ours has and the recording lacks, lists written `[]`: `run.data.tags[].key`. */
  extras: string[];
  /** Checks that held; ranks the candidates of a list element that matches none. */
  passed: number;
}

/** Times differ from run to run: their type is checked, not their value. */
const isVolatile = (field: string) => /(^|_)time$|timestamp$/.test(field);
/** Messages are prose and differ between servers; `error_code` carries the meaning. */
const FREE_TEXT = new Set(['message']);

const KIND_NAMES: Record<Expected['kind'], string> = {
  string: 'a string',
  integer: 'an integer',
  float: 'a number',
  boolean: 'a boolean',
  null: 'null',
  object: 'an object',
  list: 'a list',
};

function show(v: unknown, max = 160): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** The recorded value as we expect it, for messages: elided scalars print as `<a string>`. */
function render(expected: Expected, ids: IdMap, field: string): unknown {
  switch (expected.kind) {
    case 'object':
      return Object.fromEntries(Object.entries(expected.fields).map(([k, v]) => [k, render(v, ids, k)]));
    case 'list':
      return expected.items.map((item) => render(item, ids, field));
    case 'string':
      return expected.value === undefined ? '<a string>' : ids.value(field, expected.value);
    case 'null':
      return null;
    default:
      return expected.value ?? `<${KIND_NAMES[expected.kind]}>`;
  }
}

function hasKind(kind: Expected['kind'], v: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return Number.isInteger(v);
    case 'float':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    case 'object':
      return isRecord(v);
    case 'list':
      return Array.isArray(v);
  }
}

class Matcher {
  readonly result: MatchResult = { mismatches: [], extras: [], passed: 0 };

  constructor(private readonly ids: IdMap) {}

  check(expected: Expected, actual: unknown, path: string, shape: string, field: string): void {
    if (!hasKind(expected.kind, actual)) {
      const value =
        expected.kind === 'object' || expected.kind === 'list' ? '' : this.expectedValue(expected, field);
      this.fail(`${path}: expected ${KIND_NAMES[expected.kind]}${value}, got ${show(actual)}`);
      return;
    }
    this.result.passed++;
    if (expected.kind === 'object')
      this.checkObject(expected.fields, actual as Record<string, unknown>, path, shape);
    else if (expected.kind === 'list')
      this.checkList(expected.items, actual as unknown[], path, shape, field);
    else if (
      expected.kind !== 'null' &&
      expected.value !== undefined &&
      !isVolatile(field) &&
      !FREE_TEXT.has(field)
    ) {
      const want = expected.kind === 'string' ? this.ids.value(field, expected.value) : expected.value;
      if (actual !== want) this.fail(`${path}: expected ${show(want)}, got ${show(actual)}`);
      else this.result.passed++;
    }
  }

  private expectedValue(expected: Expected, field: string): string {
    const want = render(expected, this.ids, field);
    return typeof want === 'string' && want.startsWith('<') ? '' : ` ${show(want)}`;
  }

  private checkObject(
    fields: Record<string, Expected>,
    actual: Record<string, unknown>,
    path: string,
    shape: string,
  ) {
    for (const [key, expected] of Object.entries(fields)) {
      if (!(key in actual)) {
        this.fail(`${path}.${key}: missing (MLflow sent ${show(render(expected, this.ids, key))})`);
        continue;
      }
      this.check(expected, actual[key], `${path}.${key}`, `${shape}.${key}`, key);
    }
    for (const key of Object.keys(actual)) if (!(key in fields)) this.result.extras.push(`${shape}.${key}`);
  }

  private checkList(items: Expected[], actual: unknown[], path: string, shape: string, field: string) {
    if (items.length === 0) return;
    if (actual.length === 0) {
      this.fail(`${path}: expected a non-empty list, got []`);
      return;
    }
    items.forEach((item, i) => {
      const candidates = actual.map((element, j) => {
        const m = new Matcher(this.ids);
        m.check(item, element, `${path}[${j}]`, `${shape}[]`, field);
        return m.result;
      });
      const found = candidates.find((c) => c.mismatches.length === 0);
      if (found) {
        this.result.passed += found.passed;
        this.result.extras.push(...found.extras);
        return;
      }
      const closest = candidates.reduce((best, c) => (c.passed > best.passed ? c : best));
      this.fail(
        `${path}: no element matches MLflow's ${path}[${i}] = ${show(render(item, this.ids, field))}; ` +
          `closest: ${closest.mismatches.join('; ')}`,
      );
    });
  }

  private fail(line: string): void {
    this.result.mismatches.push(line);
  }
}

/** Compares our response body with the recorded one, under the ids learned so far. */
export function match(expected: Expected, actual: unknown, ids: IdMap): MatchResult {
  const m = new Matcher(ids);
  m.check(expected, actual, 'response', '', '');
  m.result.extras = [...new Set(m.result.extras.map((e) => e.replace(/^\./, '')))];
  return m.result;
}
