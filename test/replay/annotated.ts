/**
 * The recorded values as one typed tree. The client-calls recording annotates every scalar as
 * `type=value` (`"str='1'"`, `"int=1795608669044"`, `"float=0.9"`, or just `"str"` when the value
 * was elided) and abbreviates lists as `[first, "...xN"]`, where N is the list's full length
 * (a recorded `[{key: 'mlflow.user'}, "...x3"]` is the three tags the client sends). The
 * artifact-calls recording holds plain JSON; both parse to `Expected`.
 */

export type Expected =
  | { kind: 'string'; value?: string }
  | { kind: 'integer'; value?: number }
  | { kind: 'float'; value?: number }
  | { kind: 'boolean'; value?: boolean }
  | { kind: 'null' }
  | { kind: 'object'; fields: Record<string, Expected> }
  /** `items` are the elements shown; `length` is the full length (more than shown when abbreviated). */
  | { kind: 'list'; items: Expected[]; length: number };

const ABBREVIATION = /^\.\.\.x(\d+)$/;
const ANNOTATION = /^(str|int|float|bool|NoneType)(?:=([\s\S]*))?$/;

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
};

/** Decodes a Python string literal as `repr()` writes it: `'it'`, `"it's"`, with backslash escapes. */
export function decodePythonString(literal: string): string {
  const quote = literal[0];
  if ((quote !== "'" && quote !== '"') || literal.at(-1) !== quote)
    throw new Error(`Not a Python string literal: ${literal}`);
  const body = literal.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, esc: string) => {
    if (esc.length > 1) return String.fromCodePoint(Number.parseInt(esc.slice(1), 16));
    return ESCAPES[esc] ?? `\\${esc}`;
  });
}

function parseScalar(annotation: string): Expected {
  const m = ANNOTATION.exec(annotation);
  if (!m) throw new Error(`Not an annotated value: ${JSON.stringify(annotation)}`);
  const [, type, raw] = m;
  if (type === 'NoneType') return { kind: 'null' };
  if (raw === undefined) return { kind: type === 'str' ? 'string' : type === 'int' ? 'integer' : 'float' };
  if (type === 'str') return { kind: 'string', value: decodePythonString(raw) };
  if (type === 'bool') return { kind: 'boolean', value: raw === 'True' };
  return { kind: type === 'int' ? 'integer' : 'float', value: Number(raw) };
}

function parseList(items: unknown[], parseItem: (v: unknown) => Expected): Expected {
  const last = items.at(-1);
  const abbreviated = typeof last === 'string' ? ABBREVIATION.exec(last) : null;
  const shown = (abbreviated ? items.slice(0, -1) : items).map(parseItem);
  return { kind: 'list', items: shown, length: abbreviated ? Number(abbreviated[1]) : shown.length };
}

function parseObject(obj: object, parseValue: (v: unknown) => Expected): Expected {
  const fields: Record<string, Expected> = {};
  for (const [key, value] of Object.entries(obj)) fields[key] = parseValue(value);
  return { kind: 'object', fields };
}

/** Parses a value of the client-calls recording (`type=value` annotations). */
export function parseAnnotated(value: unknown): Expected {
  if (typeof value === 'string') return parseScalar(value);
  if (Array.isArray(value)) return parseList(value, parseAnnotated);
  if (value !== null && typeof value === 'object') return parseObject(value, parseAnnotated);
  throw new Error(`Unexpected raw value in an annotated recording: ${JSON.stringify(value)}`);
}

/** Parses a value of the artifact-calls recording (plain JSON). */
export function parsePlain(value: unknown): Expected {
  if (value === null) return { kind: 'null' };
  if (typeof value === 'string') return { kind: 'string', value };
  if (typeof value === 'boolean') return { kind: 'boolean', value };
  if (typeof value === 'number') return { kind: Number.isInteger(value) ? 'integer' : 'float', value };
  if (Array.isArray(value)) return parseList(value, parsePlain);
  if (typeof value === 'object') return parseObject(value, parsePlain);
  throw new Error(`Unexpected value in a recording: ${String(value)}`);
}
