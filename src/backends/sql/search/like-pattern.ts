/**
 * Case-sensitive LIKE on both engines. PostgreSQL's LIKE already is; SQLite's LIKE folds ASCII case
 * and `PRAGMA case_sensitive_like` is connection-global, so SQLite gets the same pattern as a GLOB.
 *
 * Pattern semantics are PostgreSQL's: `%` any run, `_` one character, and a backslash makes the next
 * character literal (`'50\%'`), so a filter means the same thing on either engine. A trailing lone
 * backslash is a literal backslash (PostgreSQL would reject the pattern).
 */

/** A LIKE pattern split into literal text and wildcards. */
export type PatternPart = { literal: string } | '%' | '_';

/** Splits a LIKE pattern, resolving backslash escapes. */
export function parseLikePattern(pattern: string): PatternPart[] {
  const parts: PatternPart[] = [];
  let literal = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      literal += pattern[i + 1];
      i += 1;
    } else if (c === '%' || c === '_') {
      if (literal) parts.push({ literal });
      literal = '';
      parts.push(c);
    } else {
      literal += c;
    }
  }
  if (literal) parts.push({ literal });
  return parts;
}

/** The pattern for a LIKE / ILIKE whose escape character is backslash (PostgreSQL's default). */
export function toLikePattern(parts: PatternPart[]): string {
  return parts
    .map((part) => (typeof part === 'string' ? part : part.literal.replace(/[\\%_]/g, (c) => `\\${c}`)))
    .join('');
}

/** The same pattern for SQLite's case-sensitive GLOB: `%` → `*`, `_` → `?`, metacharacters bracketed. */
export function toGlobPattern(parts: PatternPart[]): string {
  return parts
    .map((part) => {
      if (part === '%') return '*';
      if (part === '_') return '?';
      return part.literal.replace(/[[*?]/g, (c) => `[${c}]`);
    })
    .join('');
}
