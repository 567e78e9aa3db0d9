/**
 * Service-level objectives of deployed models: what an SLO promises, the counts it is judged on,
 * where those counts come from, and the verdict of one evaluation.
 */

/** `latency`: the share of answered requests slower than the threshold; `errors`: the share of failed requests. */
export type SloKind = 'latency' | 'errors';

/**
 * One objective of one model (or one of its versions).
 *
 * @example { name: 'fraud-p99', model: 'fraud', kind: 'latency', objective: 0.99, latencyThresholdMs: 50 } // p99 ≤ 50 ms
 * @example { name: 'fraud-errors', model: 'fraud', kind: 'errors', objective: 0.999 } // errors ≤ 0.1 %
 */
export interface SloDefinition {
  name: string;
  model: string;
  /** One version (default: every version of the model together). */
  version?: string;
  kind: SloKind;
  /** Share of good events promised, in (0, 1): 0.999 leaves an error budget of 0.1 %. */
  objective: number;
  /** For `latency`: a request slower than this (milliseconds) is a bad event. */
  latencyThresholdMs?: number;
  /** The period the error budget covers (ms; default 30 days, the SRE workbook's). */
  periodMs?: number;
  /** The window pairs alerting looks at (default {@link DEFAULT_BURN_WINDOWS}). */
  windows?: readonly BurnWindowPair[];
}

/**
 * A multiwindow burn-rate condition: it holds when the burn rate over both the long and the short
 * window reaches `burnRate` (the short window tells that the budget is still burning now).
 */
export interface BurnWindowPair {
  /** `fast` (page) or `slow` (ticket), or any name. */
  name: string;
  longMs: number;
  shortMs: number;
  burnRate: number;
}

/** What happened to a model's requests in one time window. */
export interface SloCounts {
  /** Requests seen. */
  total: number;
  /** Requests that failed on the server's side; null when the source cannot tell (the inference log records answered requests only). */
  errors: number | null;
  /** Answered requests slower than the asked threshold. */
  slow: number;
}

/** What an SLO count query asks for. */
export interface SloCountQuery {
  model: string;
  /** One version; undefined: all versions of the model. */
  version?: string;
  /** Window start (inclusive, ms since the epoch). */
  from: number;
  /** Window end (exclusive). */
  to: number;
  /** Requests slower than this (ms) are counted in `slow`; undefined: `slow` is 0. */
  latencyThresholdMs?: number;
}

/** Where SLO counts come from: the engine's in-process counters, or the inference log. */
export interface SloSource {
  /** Whether `errors` is known (an errors SLO needs it). */
  readonly countsErrors: boolean;
  counts(query: SloCountQuery): Promise<SloCounts>;
}

/** The burn rates of one window pair. */
export interface BurnWindowVerdict {
  window: BurnWindowPair;
  longBurnRate: number;
  shortBurnRate: number;
  /** Both windows at or above the pair's burn rate. */
  burning: boolean;
}

/** One evaluation of one SLO at one moment. */
export interface SloVerdict {
  slo: SloDefinition;
  evaluatedAt: number;
  windows: BurnWindowVerdict[];
  /** Bad-event share over the whole period. */
  periodErrorRate: number;
  periodEvents: number;
  /** Share of the period's error budget left: 1 − (bad events / allowed bad events); negative once overspent. */
  budgetRemaining: number;
  /** `burning` when any window pair burns, `exhausted` when the budget is spent, `ok` otherwise. */
  status: 'ok' | 'burning' | 'exhausted';
}
