/**
 * `order_by` clauses of MLflow's search endpoints: `metrics.acc DESC`, `params.lr`, `name ASC`.
 * Identifiers follow the filter language (prefixes, quoting, camelCase attributes).
 */
import { RUN_FILTER_VOCABULARY, resolveIdentifier, type Vocabulary } from './filter-parser.js';
import { TokenStream } from './tokenizer.js';
import type { OrderClause } from './types.js';

/** Which search an `order_by` belongs to; each has its own orderable identifiers. */
export type OrderBySubject = 'runs' | 'experiments' | 'models' | 'versions';

const REGISTRY_TIMES = {
  creation_timestamp: 'number',
  last_updated_timestamp: 'number',
} as const;

const REGISTRY_TIME_ALIASES = {
  timestamp: 'creation_timestamp',
  creation_time: 'creation_timestamp',
  last_updated_time: 'last_updated_timestamp',
};

const ORDER_VOCABULARIES: Record<OrderBySubject, Vocabulary> = {
  runs: {
    entities: ['metric', 'param', 'tag', 'attribute'],
    attributes: { ...RUN_FILTER_VOCABULARY.attributes, experiment_id: 'number' },
    aliases: RUN_FILTER_VOCABULARY.aliases,
  },
  experiments: {
    entities: ['attribute'],
    attributes: {
      name: 'string',
      experiment_id: 'number',
      creation_time: 'number',
      last_update_time: 'number',
    },
  },
  models: {
    entities: ['attribute'],
    attributes: { name: 'string', ...REGISTRY_TIMES },
    aliases: REGISTRY_TIME_ALIASES,
  },
  versions: {
    entities: ['attribute'],
    attributes: {
      name: 'string',
      version: 'number',
      run_id: 'string',
      source: 'string',
      current_stage: 'string',
      ...REGISTRY_TIMES,
    },
    aliases: { ...REGISTRY_TIME_ALIASES, version_number: 'version', source_path: 'source' },
  },
};

function parseClause(clause: string, vocabulary: Vocabulary): OrderClause {
  const stream = new TokenStream(clause, 'order_by clause');
  const identifier = stream.next();
  if (identifier.kind !== 'identifier') throw stream.unexpected(identifier, 'expected an identifier');
  const { type, key } = resolveIdentifier(identifier, vocabulary, stream);
  let ascending = true;
  if (stream.acceptKeyword('DESC')) ascending = false;
  else stream.acceptKeyword('ASC');
  const rest = stream.next();
  if (rest.kind !== 'end') throw stream.unexpected(rest, 'expected ASC, DESC or the end of the clause');
  return { type, key, ascending };
}

/**
 * Parses `order_by` clauses for one kind of search. Ascending unless a clause ends in DESC; attribute
 * names normalise to snake_case (`startTime` → `start_time`, `version_number` → `version`).
 *
 * @example
 * parseOrderBy(['metrics.acc DESC', 'params.lr'], 'runs');
 * // [{ type: 'metric', key: 'acc', ascending: false }, { type: 'param', key: 'lr', ascending: true }]
 * @throws SlipwayError INVALID_PARAMETER_VALUE naming the offending token and its position.
 */
export function parseOrderBy(clauses: string[] | undefined, allowed: OrderBySubject): OrderClause[] {
  const vocabulary = ORDER_VOCABULARIES[allowed];
  return (clauses ?? []).map((clause) => parseClause(clause, vocabulary));
}
