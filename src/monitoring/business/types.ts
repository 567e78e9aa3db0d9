/**
 * Outcome events — what happened after a prediction that the business cares about (`converted`,
 * `chargeback_amount`) — and the store that keeps them. Like a label, an event names its prediction
 * by request id (and row) or by entity and time; unlike a label, a prediction may have many events,
 * one per name (and, by entity, one per time), each a number (1 for a plain count).
 */
import type { EntityRef, RequestRef } from '../performance/types.js';

/** An outcome event tied to one logged prediction by request id and row. */
export interface RequestEvent extends RequestRef {
  model: string;
  /** The event's name, e.g. `converted`. */
  name: string;
  /** Its value: an amount, or 1 for an event that is only counted. */
  value: number;
}

/** An outcome event of an entity at a time: tied to the entity's latest prediction at or before `ts`. */
export interface EntityEvent extends EntityRef {
  model: string;
  name: string;
  value: number;
}

export type OutcomeEvent = RequestEvent | EntityEvent;

/** A stored event, with when it was (last) received. */
export type StoredEvent = OutcomeEvent & { receivedAt: number };

/** Which events to read. */
export interface EventFilter {
  model: string;
  /** Events whose `ts` is at or after this (epoch ms). */
  from?: number;
  /** Events whose `ts` is before this (epoch ms). */
  to?: number;
  /** Only these event names. */
  names?: readonly string[];
}

/**
 * Where outcome events are kept. `upsert` is idempotent: an event whose key (model + name +
 * request id + row, or model + name + entity + ts) is already stored has its value replaced.
 */
export interface EventStore {
  upsert(events: readonly OutcomeEvent[], receivedAt: number): Promise<void>;
  list(filter: EventFilter): Promise<StoredEvent[]>;
  count(model: string): Promise<number>;
  delete(model: string): Promise<number>;
}
