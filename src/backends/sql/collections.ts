/** Small collection helpers the SQL stores share. */

/** Splits rows into chunks that stay under every engine's bound-parameter limit. */
export function chunk<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Groups rows by a key, keeping order. */
export function groupBy<R, V>(rows: R[], keyOf: (r: R) => string, toValue: (r: R) => V): Map<string, V[]> {
  const out = new Map<string, V[]>();
  for (const r of rows) {
    const k = keyOf(r);
    let list = out.get(k);
    if (!list) {
      list = [];
      out.set(k, list);
    }
    list.push(toValue(r));
  }
  return out;
}
