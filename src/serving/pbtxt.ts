/**
 * A parser for the subset of the protobuf text format Triton's `config.pbtxt` files use, into a
 * plain tree (repeated fields → arrays). triton-config.ts maps the tree onto `ModelConfig`.
 */
import { SlipwayError } from '../core/errors.js';

export type PbtxtValue = string | number | boolean | PbtxtMessage | PbtxtValue[];
export interface PbtxtMessage {
  [field: string]: PbtxtValue;
}

type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  value?: string | number;
  line: number;
  column: number;
}

// Deeper nesting than any real config; the bound keeps a hostile file from overflowing the stack.
const MAX_DEPTH = 64;
const NUMBER = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[fF]?/;
const SIMPLE_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8, f: 12, v: 11 };
const ESCAPE =
  /^\\(?:([nrtabfv])|([\\'"?])|[xX]([0-9a-fA-F]{1,2})|([0-7]{1,3})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/;

function syntaxError(
  source: string,
  at: Token | { line: number; column: number },
  expected: string,
  got: string,
) {
  return new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `Invalid value for '${source}': expected ${expected}, got ${got} at line ${at.line}, column ${at.column}`,
    { field: source, expected, got, line: at.line, column: at.column },
  );
}

function describeToken(t: Token): string {
  if (t.kind === 'end') return 'the end of the file';
  if (t.kind === 'string') return 'a string';
  return `'${t.text}'`;
}

/** Splits the text into tokens, each with its 1-based line and column. */
function tokenize(text: string, source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      lineStart = ++i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const at = { line, column: i - lineStart + 1 };
    if ('{}[]<>:,;-'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, ...at });
      i++;
    } else if (c === '"' || c === "'") {
      const { value, end } = readString(text, i, source, at);
      tokens.push({ kind: 'string', text: text.slice(i, end), value, ...at });
      i = end;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 256))!;
      tokens.push({ kind: 'ident', text: m[0], ...at });
      i += m[0].length;
    } else if (/[0-9.]/.test(c)) {
      const m = NUMBER.exec(text.slice(i, i + 256));
      const next = m ? text[i + m[0].length] : c;
      if (!m || (next !== undefined && /[A-Za-z0-9_.]/.test(next))) {
        throw syntaxError(source, at, 'a number', `'${/^[A-Za-z0-9_.+-]*/.exec(text.slice(i, i + 40))![0]}'`);
      }
      // The f suffix marks a float (1.5f); in hex it is a digit.
      const raw = /^0[xX]/.test(m[0]) ? m[0] : m[0].replace(/[fF]$/, '');
      const value = /^0[xX]/.test(raw) ? Number.parseInt(raw, 16) : Number(raw);
      tokens.push({ kind: 'number', text: m[0], value, ...at });
      i += m[0].length;
    } else {
      throw syntaxError(source, at, 'a field, value or punctuation', `'${c}'`);
    }
  }
  tokens.push({ kind: 'end', text: '', line, column: i - lineStart + 1 });
  return tokens;
}

/** Reads a quoted string at `start`; escapes follow protobuf (octal and \x give bytes, decoded as UTF-8). */
function readString(text: string, start: number, source: string, at: { line: number; column: number }) {
  const quote = text[start];
  const bytes: number[] = [];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) {
    const c = text[i];
    if (c === '\n') break;
    if (c !== '\\') {
      const cp = text.codePointAt(i)!;
      bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const m = ESCAPE.exec(text.slice(i, i + 10));
    if (!m) throw syntaxError(source, at, 'a known escape in the string', `'${text.slice(i, i + 2)}'`);
    const [, simple, literal, hex, octal, u4, u8] = m;
    if (simple !== undefined) bytes.push(SIMPLE_ESCAPES[simple]);
    else if (literal !== undefined) bytes.push(literal.charCodeAt(0));
    else if (hex !== undefined) bytes.push(Number.parseInt(hex, 16));
    else if (octal !== undefined) bytes.push(Number.parseInt(octal, 8) & 0xff);
    else {
      const cp = Number.parseInt(u4 ?? u8, 16);
      if (cp > 0x10ffff) throw syntaxError(source, at, 'a valid \\U escape', `'${m[0]}'`);
      bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
    }
    i += m[0].length;
  }
  if (text[i] !== quote) throw syntaxError(source, at, `a closing ${quote} on the same line`, 'none');
  return { value: Buffer.from(bytes).toString('utf8'), end: i + 1 };
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  private expectPunct(text: string, context: string): void {
    if (!this.isPunct(text))
      throw syntaxError(this.source, this.peek(), `'${text}' ${context}`, describeToken(this.peek()));
    this.pos++;
  }

  /** Fields until `close` ('}' / '>') or, at the top level, the end of the file. */
  message(close: string | undefined, depth: number): PbtxtMessage {
    if (depth > MAX_DEPTH)
      throw syntaxError(this.source, this.peek(), `at most ${MAX_DEPTH} levels of nesting`, 'more');
    const msg: PbtxtMessage = Object.create(null);
    for (;;) {
      const t = this.peek();
      if (close === undefined ? t.kind === 'end' : this.isPunct(close)) break;
      if (t.kind !== 'ident') {
        const expected = close === undefined ? 'a field name' : `a field name or '${close}'`;
        throw syntaxError(this.source, t, expected, describeToken(t));
      }
      this.pos++;
      const colon = this.isPunct(':');
      if (colon) this.pos++;
      let value: PbtxtValue;
      if (this.isPunct('{') || this.isPunct('<')) value = this.nested(depth);
      else if (this.isPunct('[')) value = this.list(t.text, depth);
      else if (colon) value = this.scalar(t.text);
      else
        throw syntaxError(
          this.source,
          this.peek(),
          `':' or '{' after '${t.text}'`,
          describeToken(this.peek()),
        );
      add(msg, t.text, value);
      if (this.isPunct(',') || this.isPunct(';')) this.pos++;
    }
    return msg;
  }

  private nested(depth: number): PbtxtMessage {
    const close = this.peek().text === '{' ? '}' : '>';
    this.pos++;
    const msg = this.message(close, depth + 1);
    this.expectPunct(close, 'to close the message');
    return msg;
  }

  private list(field: string, depth: number): PbtxtValue[] {
    this.pos++;
    const items: PbtxtValue[] = [];
    if (this.isPunct(']')) {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.isPunct('{') || this.isPunct('<') ? this.nested(depth) : this.scalar(field));
      if (this.isPunct(']')) break;
      this.expectPunct(',', `or ']' in the list '${field}'`);
    }
    this.pos++;
    return items;
  }

  private scalar(field: string): string | number | boolean {
    const negative = this.isPunct('-');
    if (negative) this.pos++;
    const t = this.peek();
    this.pos++;
    if (t.kind === 'number') return negative ? -(t.value as number) : (t.value as number);
    if (t.kind === 'ident') {
      const lower = t.text.toLowerCase();
      if (lower === 'inf' || lower === 'infinity') return negative ? -Infinity : Infinity;
      if (lower === 'nan') return Number.NaN;
      if (!negative && (t.text === 'true' || t.text === 'True')) return true;
      if (!negative && (t.text === 'false' || t.text === 'False')) return false;
      if (!negative) return t.text;
    }
    if (t.kind === 'string' && !negative) {
      let s = t.value as string;
      // Adjacent literals concatenate, as in C.
      while (this.peek().kind === 'string') s += this.tokens[this.pos++].value as string;
      return s;
    }
    throw syntaxError(this.source, t, `a value for '${field}'`, describeToken(t));
  }
}

/** A field given again is a repeated field: its values collect into one array. */
function add(msg: PbtxtMessage, field: string, value: PbtxtValue): void {
  if (!(field in msg)) {
    msg[field] = value;
    return;
  }
  const prev = msg[field];
  msg[field] = [...(Array.isArray(prev) ? prev : [prev]), ...(Array.isArray(value) ? value : [value])];
}

/**
 * Parses protobuf text format into a plain tree. A field written once keeps its single value; a field
 * written as `[ … ]` or given several times becomes an array (read repeated fields with `asList`).
 * Enum values come back as their names (strings). A syntax error names the file, line and column.
 *
 * @example
 * parsePbtxt('max_batch_size: 8\ninstance_group [ { count: 2 } ]', 'config.pbtxt')
 * // { max_batch_size: 8, instance_group: [ { count: 2 } ] }
 */
export function parsePbtxt(text: string, source: string): PbtxtMessage {
  return new Parser(tokenize(text, source), source).message(undefined, 0);
}

/** A repeated field's values whether it was written once, several times or as a list. */
export function asList(value: PbtxtValue | undefined): PbtxtValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** True for a nested `{ … }` message (not a scalar or a list). */
export function isMessage(v: PbtxtValue | undefined): v is PbtxtMessage {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
