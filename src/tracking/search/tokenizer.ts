/**
 * The lexer shared by every search parser in this folder (run, experiment, registry filters and
 * `order_by` clauses), plus a cursor that turns any problem into one kind of error message:
 * `Invalid filter 'metrics.acc >> 1': unexpected token '>>' at position 12`.
 */
import { SlipwayError } from '../../core/errors.js';

interface TokenBase {
  /** The source text as written, quotes included. */
  text: string;
  /** 0-based offset of the token in the source. */
  position: number;
}

/** `metrics.acc`, `tags."mlflow.user"`, `status`, `AND`: dotted parts with their quotes removed. */
export interface IdentifierToken extends TokenBase {
  kind: 'identifier';
  parts: string[];
  /** True when any part was quoted, so `` `and` `` is a key, never the keyword. */
  quoted: boolean;
}

export interface StringToken extends TokenBase {
  kind: 'string';
  value: string;
}

export interface NumberToken extends TokenBase {
  kind: 'number';
  value: number;
}

export interface PunctuationToken extends TokenBase {
  /** `operator` is a run of `=!<>` characters, validated by the parser (so `>>` is one bad token). */
  kind: 'operator' | '(' | ')' | ',' | 'end';
}

export type Token = IdentifierToken | StringToken | NumberToken | PunctuationToken;

const WORD = /[A-Za-z0-9_]/;
const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;

/**
 * Splits search text into tokens. Strings take single or double quotes with doubled-quote escapes
 * (`'it''s'`); identifier parts after a dot may be quoted with backticks or double quotes.
 *
 * @param label what the text is, for error messages (`filter`, `order_by clause`).
 * @throws SlipwayError INVALID_PARAMETER_VALUE on an unterminated quote or a stray character.
 */
export function tokenize(source: string, label: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (detail: string, at: number): never => {
    throw searchSyntaxError(label, source, detail, at);
  };
  /** Reads a quoted run starting at `start`; returns the unescaped text and the index after it. */
  const readQuoted = (start: number): [string, number] => {
    const quote = source[start];
    let value = '';
    let j = start + 1;
    for (;;) {
      if (j >= source.length) fail(`unterminated ${quote} quote starting at position ${start}`, start);
      if (source[j] === quote) {
        if (source[j + 1] !== quote) return [value, j + 1];
        j += 1;
      }
      value += source[j];
      j += 1;
    }
  };

  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      const [value, end] = readQuoted(i);
      tokens.push({ kind: 'string', value, text: source.slice(start, end), position: start });
      i = end;
    } else if (/[A-Za-z_`]/.test(c)) {
      const parts: string[] = [];
      let quoted = false;
      for (;;) {
        const d = source[i];
        if (d === '`' || (d === '"' && parts.length > 0)) {
          const [value, end] = readQuoted(i);
          parts.push(value);
          quoted = true;
          i = end;
        } else {
          let j = i;
          while (j < source.length && WORD.test(source[j])) j += 1;
          parts.push(source.slice(i, j));
          i = j;
        }
        const after = source[i + 1] ?? '';
        if (source[i] !== '.' || !(WORD.test(after) || after === '`' || after === '"')) break;
        i += 1;
      }
      tokens.push({ kind: 'identifier', parts, quoted, text: source.slice(start, i), position: start });
    } else if (/[=!<>]/.test(c)) {
      while (i < source.length && /[=!<>]/.test(source[i])) i += 1;
      tokens.push({ kind: 'operator', text: source.slice(start, i), position: start });
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, text: c, position: start });
      i += 1;
    } else {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(source);
      if (!match) fail(`unexpected character '${c}' at position ${i}`, i);
      const text = (match as RegExpExecArray)[0];
      tokens.push({ kind: 'number', value: Number(text), text, position: start });
      i += text.length;
    }
  }
  tokens.push({ kind: 'end', text: '', position: source.length });
  return tokens;
}

/** The one error every search parser throws: names the source, what went wrong and where. */
export function searchSyntaxError(
  label: string,
  source: string,
  detail: string,
  position: number,
): SlipwayError {
  return new SlipwayError('INVALID_PARAMETER_VALUE', `Invalid ${label} '${source}': ${detail}`, {
    field: label,
    source,
    position,
  });
}

/** How a token reads in an error message: strings keep their own quotes, the rest gain single ones. */
export function describeToken(token: Token): string {
  if (token.kind === 'end') return 'end of input';
  return token.kind === 'string' ? token.text : `'${token.text}'`;
}

/** A read cursor over tokens that knows how to fail with a message naming the token. */
export class TokenStream {
  readonly tokens: Token[];
  private index = 0;

  constructor(
    readonly source: string,
    readonly label: string,
  ) {
    this.tokens = tokenize(source, label);
  }

  peek(): Token {
    return this.tokens[this.index];
  }

  next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  /** True (and consumes it) when the next token is the unquoted keyword `word`, in any case. */
  acceptKeyword(word: string): boolean {
    if (!isKeyword(this.peek(), word)) return false;
    this.index += 1;
    return true;
  }

  expectKeyword(word: string): Token {
    const token = this.next();
    if (!isKeyword(token, word)) throw this.unexpected(token, `expected ${word}`);
    return token;
  }

  /** `unexpected token '>>' at position 12`, with an optional hint after it. */
  unexpected(token: Token, hint?: string): SlipwayError {
    const what =
      token.kind === 'end' ? 'unexpected end of input' : `unexpected token ${describeToken(token)}`;
    return this.fail(token, `${what} at position ${token.position}${hint ? ` (${hint})` : ''}`);
  }

  fail(token: Token, detail: string): SlipwayError {
    return searchSyntaxError(this.label, this.source, detail, token.position);
  }
}

/** True when `token` is the unquoted, undotted word `word` (case-insensitive). */
export function isKeyword(token: Token, word: string): boolean {
  return (
    token.kind === 'identifier' &&
    !token.quoted &&
    token.parts.length === 1 &&
    token.parts[0].toUpperCase() === word
  );
}
