/**
 * MLflow 2.x's `search_runs` filter language, and the clause parser every other search language in
 * this folder reuses: `metrics.acc > 0.9 and params.lr = '0.01' and attributes.status = 'FINISHED'`.
 */

import { type IdentifierToken, isKeyword, type Token, TokenStream } from './tokenizer.js';
import type { Comparator, Comparison, EntityType, Filter } from './types.js';

/** Which identifiers a search language knows: entity prefixes and attribute names. */
export interface Vocabulary {
  /** Entity types allowed behind a prefix (`metrics.x`); `attribute` also allows bare names. */
  entities: EntityType[];
  /** Canonical snake_case attribute name → the kind of value it compares with. */
  attributes: Record<string, 'string' | 'number'>;
  /** Other spellings (already lower snake_case) → canonical name, e.g. `created` → `start_time`. */
  aliases?: Record<string, string>;
  /** Keys allowed behind `datasets.`. */
  datasetKeys?: string[];
}

/** An identifier resolved against a vocabulary. */
export interface ResolvedIdentifier {
  type: EntityType;
  key: string;
  valueKind: 'string' | 'number';
}

const PREFIXES: Record<string, EntityType> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

/** The vocabulary of `search_runs` filters. */
export const RUN_FILTER_VOCABULARY: Vocabulary = {
  entities: ['metric', 'param', 'tag', 'attribute', 'dataset'],
  attributes: {
    run_id: 'string',
    run_name: 'string',
    status: 'string',
    user_id: 'string',
    artifact_uri: 'string',
    start_time: 'number',
    end_time: 'number',
  },
  aliases: { created: 'start_time' },
  datasetKeys: ['name', 'digest', 'context'],
};

/** `runName`, `Run Name`, `RUN_NAME` → `run_name`. */
function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toLowerCase();
}

/**
 * Maps an identifier token onto an entity type and key, or fails naming the token. Bare names
 * (`status`, `name`) are attributes; prefixes are case-insensitive; attribute names accept camelCase.
 */
export function resolveIdentifier(
  token: IdentifierToken,
  vocabulary: Vocabulary,
  stream: TokenStream,
): ResolvedIdentifier {
  const [head, ...rest] = token.parts;
  let type: EntityType = 'attribute';
  let key = head;
  if (rest.length > 0) {
    const prefixed = PREFIXES[head.toLowerCase()];
    if (!prefixed || !vocabulary.entities.includes(prefixed)) {
      const known = [
        ...new Set(vocabulary.entities.map((e) => (e === 'attribute' ? 'attributes' : `${e}s`))),
      ];
      throw stream.fail(
        token,
        `unknown entity '${head}' in '${token.text}' at position ${token.position}; expected one of ${known.join(', ')}`,
      );
    }
    type = prefixed;
    key = rest.join('.');
  } else if (!vocabulary.entities.includes('attribute')) {
    throw stream.unexpected(token);
  }
  if (key === '') throw stream.fail(token, `empty key in '${token.text}' at position ${token.position}`);
  if (type === 'metric') return { type, key, valueKind: 'number' };
  if (type === 'param' || type === 'tag') return { type, key, valueKind: 'string' };
  if (type === 'dataset') {
    const keys = vocabulary.datasetKeys ?? [];
    if (!keys.includes(key)) {
      throw stream.fail(
        token,
        `unknown dataset field '${key}' at position ${token.position}; expected one of ${keys.join(', ')}`,
      );
    }
    return { type, key, valueKind: 'string' };
  }
  const snake = snakeCase(key);
  const canonical = vocabulary.aliases?.[snake] ?? snake;
  const valueKind = vocabulary.attributes[canonical];
  if (!valueKind) {
    throw stream.fail(
      token,
      `unknown attribute '${key}' at position ${token.position}; expected one of ${Object.keys(vocabulary.attributes).join(', ')}`,
    );
  }
  return { type, key: canonical, valueKind };
}

/** One `identifier comparator value` clause, checked for syntax only. */
export interface RawClause {
  identifier: IdentifierToken;
  comparator: Comparator;
  comparatorToken: Token;
  /** The value token, a string list for IN, or null for IS [NOT] NULL. */
  value: Token | string[] | null;
}

const SYMBOLS = new Set(['=', '!=', '>', '>=', '<', '<=']);

function parseClause(stream: TokenStream): RawClause {
  const identifier = stream.next();
  if (identifier.kind !== 'identifier') throw stream.unexpected(identifier, 'expected an identifier');
  const comparatorToken = stream.next();
  const word = comparatorToken.kind === 'identifier' ? comparatorToken.text.toUpperCase() : '';
  if (comparatorToken.kind === 'operator' && SYMBOLS.has(comparatorToken.text)) {
    return {
      identifier,
      comparator: comparatorToken.text as Comparator,
      comparatorToken,
      value: value(stream),
    };
  }
  if (word === 'LIKE' || word === 'ILIKE') {
    return { identifier, comparator: word, comparatorToken, value: value(stream) };
  }
  if (word === 'IS') {
    const negated = stream.acceptKeyword('NOT');
    stream.expectKeyword('NULL');
    return { identifier, comparator: negated ? 'IS NOT NULL' : 'IS NULL', comparatorToken, value: null };
  }
  if (word === 'IN' || word === 'NOT') {
    if (word === 'NOT') stream.expectKeyword('IN');
    return { identifier, comparator: word === 'NOT' ? 'NOT IN' : 'IN', comparatorToken, value: list(stream) };
  }
  throw stream.unexpected(comparatorToken, 'expected a comparator');
}

function value(stream: TokenStream): Token {
  const token = stream.next();
  if (token.kind !== 'string' && token.kind !== 'number') throw stream.unexpected(token, 'expected a value');
  return token;
}

/** `('a', 'b')`: a parenthesised, non-empty list of quoted strings. */
function list(stream: TokenStream): string[] {
  const open = stream.next();
  if (open.kind !== '(') throw stream.unexpected(open, 'expected a parenthesised list');
  const values: string[] = [];
  for (;;) {
    const item = stream.next();
    if (item.kind !== 'string') throw stream.unexpected(item, 'expected a quoted string');
    values.push(item.value);
    const separator = stream.next();
    if (separator.kind === ')') return values;
    if (separator.kind !== ',') throw stream.unexpected(separator, "expected ',' or ')'");
  }
}

/**
 * Parses `clause AND clause AND …` (AND in any case) into raw clauses. Blank text is no clause.
 * OR, parentheses and trailing text are errors naming the token and its position.
 */
export function parseClauses(stream: TokenStream): RawClause[] {
  const clauses: RawClause[] = [];
  if (stream.peek().kind === 'end') return clauses;
  for (;;) {
    clauses.push(parseClause(stream));
    const token = stream.next();
    if (token.kind === 'end') return clauses;
    if (isKeyword(token, 'OR')) throw stream.unexpected(token, 'only AND is supported');
    if (!isKeyword(token, 'AND')) {
      throw stream.unexpected(token, 'expected AND or the end of the filter');
    }
  }
}

const NUMERIC: Comparator[] = ['=', '!=', '>', '>=', '<', '<='];
const STRING: Comparator[] = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
const NULLS: Comparator[] = ['IS NULL', 'IS NOT NULL'];

/** Comparators each kind of identifier accepts (one table for every search language). */
function allowedComparators(resolved: ResolvedIdentifier): Comparator[] {
  if (resolved.type === 'metric') return [...NUMERIC, ...NULLS];
  if (resolved.type === 'param' || resolved.type === 'tag') return [...STRING, ...NULLS];
  return resolved.valueKind === 'number' ? NUMERIC : STRING;
}

/** Checks a raw clause's comparator and value against what its identifier accepts. */
export function toComparison(clause: RawClause, vocabulary: Vocabulary, stream: TokenStream): Comparison {
  const resolved = resolveIdentifier(clause.identifier, vocabulary, stream);
  const { type, key, valueKind } = resolved;
  const name = type === 'attribute' ? `attribute '${key}'` : `${type} '${key}'`;
  const allowed = allowedComparators(resolved);
  if (!allowed.includes(clause.comparator)) {
    const at = clause.comparatorToken;
    throw stream.fail(
      at,
      `comparator '${clause.comparator}' at position ${at.position} is not valid for ${name}; expected one of ${allowed.join(', ')}`,
    );
  }
  const raw = clause.value;
  if (raw === null || Array.isArray(raw)) return { type, key, comparator: clause.comparator, value: raw };
  if (valueKind === 'number') {
    if (raw.kind !== 'number') {
      throw stream.fail(raw, `expected a number for ${name} but got ${raw.text} at position ${raw.position}`);
    }
    if (type === 'attribute' && !Number.isInteger(raw.value)) {
      throw stream.fail(
        raw,
        `expected an integer for ${name} but got '${raw.text}' at position ${raw.position}`,
      );
    }
    return { type, key, comparator: clause.comparator, value: raw.value };
  }
  if (raw.kind !== 'string') {
    throw stream.fail(
      raw,
      `expected a quoted string for ${name} but got '${raw.text}' at position ${raw.position}`,
    );
  }
  return { type, key, comparator: clause.comparator, value: raw.value };
}

/** Parses a filter in the given language: the shared entry point of every filter parser. */
export function parseFilter(filter: string | undefined, vocabulary: Vocabulary): Filter {
  if (filter === undefined || filter.trim() === '') return [];
  const stream = new TokenStream(filter, 'filter');
  return parseClauses(stream).map((clause) => toComparison(clause, vocabulary, stream));
}

/**
 * Parses a `search_runs` filter (MLflow 2.x syntax) into comparisons.
 *
 * @example
 * parseRunFilter("metrics.acc > 0.9 and tags.`mlflow.user` = 'ana'");
 * // [{ type: 'metric', key: 'acc', comparator: '>', value: 0.9 },
 * //  { type: 'tag', key: 'mlflow.user', comparator: '=', value: 'ana' }]
 * @throws SlipwayError INVALID_PARAMETER_VALUE naming the offending token and its position.
 */
export function parseRunFilter(filter: string | undefined): Filter {
  return parseFilter(filter, RUN_FILTER_VOCABULARY);
}
