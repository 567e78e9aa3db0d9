/**
 * Field-level differences between two stored specs, for plans and version history. Lists of named
 * objects (schemas, join keys) are matched by name, so a type change reads
 * `schema.avg_fare type float32 → float64` rather than as a changed list; lists of plain values
 * (entities, service features) report what was added and removed.
 */

/** One difference. `path` is structural (`['schema', 'avg_fare', 'type']`); `summary` is for people. */
export interface FieldChange {
  path: string[];
  op: 'added' | 'removed' | 'changed' | 'reordered';
  before?: unknown;
  after?: unknown;
  summary: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Lists whose items are objects with unique string names are compared item by item. */
function isNamedList(v: unknown): v is Json[] {
  if (!Array.isArray(v)) return false;
  const names = v.map((x) => (isObject(x) && typeof x.name === 'string' ? x.name : undefined));
  return names.every((n) => n !== undefined) && new Set(names).size === names.length;
}

/** A value as it reads in a summary: bare words stay bare, anything else as JSON. */
export function render(v: unknown): string {
  if (v === undefined) return '(none)';
  if (typeof v === 'string') return /^[\w.:/*-]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

/**
 * Differences from `before` to `after` (both canonical specs, see `canonical`).
 *
 * @example diffSpecs(v2, v3).map((c) => c.summary) // ['schema.avg_fare type float32 → float64', 'ttlSeconds 3600 → 86400']
 */
export function diffSpecs(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  walk([], '', '.', before, after, out);
  return out;
}

function walk(path: string[], label: string, sep: string, a: unknown, b: unknown, out: FieldChange[]): void {
  if (same(a, b)) return;
  const at = (key: string) => (label === '' ? key : `${label}${sep}${key}`);
  if (
    (isObject(a) || a === undefined) &&
    (isObject(b) || b === undefined) &&
    !(a === undefined && b === undefined)
  ) {
    const ao = a ?? {};
    const bo = b ?? {};
    for (const key of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort())
      walk([...path, key], at(key), '.', ao[key], bo[key], out);
    return;
  }
  if (isNamedList(a) && isNamedList(b)) walkNamed(path, label, a, b, out);
  else if (
    Array.isArray(a) &&
    Array.isArray(b) &&
    [...a, ...b].every((x) => !isObject(x) && !Array.isArray(x))
  )
    walkValues(path, label, a, b, out);
  else
    out.push({ path, op: 'changed', before: a, after: b, summary: `${label} ${render(a)} → ${render(b)}` });
}

function walkNamed(path: string[], label: string, a: Json[], b: Json[], out: FieldChange[]): void {
  const byName = (list: Json[]) => new Map(list.map((x) => [x.name as string, x]));
  const am = byName(a);
  const bm = byName(b);
  // Old items in their order (removed or changed), then new ones: a diff reads like the schema.
  for (const [name, item] of am) {
    const now = bm.get(name);
    if (now) walk([...path, name], `${label}.${name}`, ' ', item, now, out);
    else
      out.push({ path: [...path, name], op: 'removed', before: item, summary: `${label}.${name} removed` });
  }
  for (const [name, item] of bm) {
    if (am.has(name)) continue;
    const type = typeof item.type === 'string' ? ` (${item.type})` : '';
    out.push({ path: [...path, name], op: 'added', after: item, summary: `${label}.${name} added${type}` });
  }
  const common = (x: Map<string, Json>, y: Map<string, Json>) => [...x.keys()].filter((n) => y.has(n));
  if (!same(common(am, bm), common(bm, am)))
    out.push({
      path,
      op: 'reordered',
      before: [...am.keys()],
      after: [...bm.keys()],
      summary: `${label} order changed`,
    });
}

function walkValues(path: string[], label: string, a: unknown[], b: unknown[], out: FieldChange[]): void {
  const key = (v: unknown) => JSON.stringify(v);
  const bk = new Set(b.map(key));
  const ak = new Set(a.map(key));
  for (const v of a)
    if (!bk.has(key(v)))
      out.push({ path, op: 'removed', before: v, summary: `${label} removed ${render(v)}` });
  for (const v of b)
    if (!ak.has(key(v))) out.push({ path, op: 'added', after: v, summary: `${label} added ${render(v)}` });
  const kept = (x: unknown[], keep: Set<string>) => x.map(key).filter((k) => keep.has(k));
  if (!same(kept(a, bk), kept(b, ak)))
    out.push({ path, op: 'reordered', before: a, after: b, summary: `${label} order changed` });
}
