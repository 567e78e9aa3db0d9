/**
 * SLO counts from the serving engine itself: a ring of time slots per model version, fed by the
 * engine's outcome hook (`engine.metrics.listen(counters)`), holding requests, server-side failures
 * and requests slower than each configured latency threshold. Recording is a slot lookup and a few
 * increments; windows are read in whole slots (a window's oldest slot counts whole).
 */
import { type Clock, systemClock } from '../../core/clock.js';
import { type ErrorCode, httpStatusOf, invalidParameter } from '../../core/errors.js';
import type { InferenceOutcomeListener } from '../../serving/metrics.js';
import type { SloCountQuery, SloCounts, SloSource } from './types.js';

export interface ServingCountersOptions {
  /** Thresholds (ms) a latency SLO may ask about; a request slower than one is counted against it. */
  latencyThresholdsMs: readonly number[];
  /** Slot width (default 10 s). */
  slotMs?: number;
  /** How far back counts are held (default 6 h 10 s: the slow-burn window plus a slot). */
  retentionMs?: number;
  clock?: Clock;
  /**
   * Whether a failure reason (an error code) spends the error budget; default: codes answered with
   * a 5xx status (not the caller's fault), and reasons this platform does not know.
   */
  isError?: (reason: string) => boolean;
}

const STATUS_CODES = new Set<string>([
  'INVALID_PARAMETER_VALUE',
  'RESOURCE_DOES_NOT_EXIST',
  'RESOURCE_ALREADY_EXISTS',
  'INVALID_STATE',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'PAYLOAD_TOO_LARGE',
  'REQUEST_LIMIT_EXCEEDED',
  'TEMPORARILY_UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'CANCELLED',
  'INTERNAL_ERROR',
]);

/** 5xx codes and unknown reasons are the server's failures; 4xx (and 499 CANCELLED) are the caller's. */
export function isServerError(reason: string): boolean {
  return !STATUS_CODES.has(reason) || httpStatusOf(reason as ErrorCode) >= 500;
}

/** One model version's ring of slots. */
class SlotRing {
  readonly slot: Float64Array;
  readonly total: Float64Array;
  readonly errors: Float64Array;
  /** slow[k][i]: requests in slot i slower than threshold k. */
  readonly slow: Float64Array[];
  constructor(size: number, thresholds: number) {
    this.slot = new Float64Array(size).fill(-1);
    this.total = new Float64Array(size);
    this.errors = new Float64Array(size);
    this.slow = Array.from({ length: thresholds }, () => new Float64Array(size));
  }
  /** The ring index of slot number `n`, cleared when it last held an older slot. */
  index(n: number): number {
    const i = n % this.slot.length;
    if (this.slot[i] !== n) {
      this.slot[i] = n;
      this.total[i] = 0;
      this.errors[i] = 0;
      for (const s of this.slow) s[i] = 0;
    }
    return i;
  }
}

/**
 * Per-version request counters in memory, an {@link SloSource} and the engine's outcome listener.
 *
 * @example
 * const counters = new ServingCounters({ latencyThresholdsMs: [50] });
 * engine.metrics.listen(counters);
 * await evaluateSlo({ name: 'p99', model: 'fraud', kind: 'latency', objective: 0.99, latencyThresholdMs: 50 }, counters, Date.now());
 */
export class ServingCounters implements SloSource, InferenceOutcomeListener {
  readonly countsErrors = true;
  private readonly rings = new Map<string, Map<string, SlotRing>>();
  private readonly thresholdsSeconds: Float64Array;
  private readonly slotMs: number;
  private readonly size: number;
  private readonly clock: Clock;
  private readonly isError: (reason: string) => boolean;

  constructor(private readonly opts: ServingCountersOptions) {
    const thresholds = opts.latencyThresholdsMs;
    if (!Array.isArray(thresholds) || thresholds.some((t) => !(typeof t === 'number' && t > 0)))
      throw invalidParameter('latencyThresholdsMs', 'a list of positive milliseconds', thresholds);
    this.slotMs = opts.slotMs ?? 10_000;
    if (!(this.slotMs > 0))
      throw invalidParameter('slotMs', 'a positive number of milliseconds', opts.slotMs);
    const retention = opts.retentionMs ?? 6 * 3_600_000 + this.slotMs;
    if (!(retention >= this.slotMs))
      throw invalidParameter('retentionMs', `at least slotMs (${this.slotMs})`, opts.retentionMs);
    this.size = Math.ceil(retention / this.slotMs) + 1;
    this.thresholdsSeconds = Float64Array.from(thresholds, (t) => t / 1000);
    this.clock = opts.clock ?? systemClock;
    this.isError = opts.isError ?? isServerError;
  }

  success(model: string, version: string, totalSeconds: number): void {
    const ring = this.ring(model, version);
    const i = ring.index(Math.floor(this.clock.now() / this.slotMs));
    ring.total[i]++;
    const t = this.thresholdsSeconds;
    for (let k = 0; k < t.length; k++) if (totalSeconds > t[k]) ring.slow[k][i]++;
  }

  failure(model: string, version: string, reason: string): void {
    const ring = this.ring(model, version);
    const i = ring.index(Math.floor(this.clock.now() / this.slotMs));
    ring.total[i]++;
    if (this.isError(reason)) ring.errors[i]++;
  }

  async counts(q: SloCountQuery): Promise<SloCounts> {
    let k = -1;
    if (q.latencyThresholdMs !== undefined) {
      k = this.opts.latencyThresholdsMs.indexOf(q.latencyThresholdMs);
      if (k < 0)
        throw invalidParameter(
          'latencyThresholdMs',
          `one of the thresholds the serving counters track (${this.opts.latencyThresholdsMs.join(', ')} ms)`,
          q.latencyThresholdMs,
        );
    }
    const out: SloCounts = { total: 0, errors: 0, slow: 0 };
    const versions = this.rings.get(q.model);
    if (!versions || !(q.to > q.from)) return out;
    const first = Math.max(
      Math.floor(q.from / this.slotMs),
      Math.floor(this.clock.now() / this.slotMs) - this.size + 1,
    );
    const last = Math.floor((q.to - 1) / this.slotMs);
    for (const [version, ring] of versions) {
      if (q.version !== undefined && version !== q.version) continue;
      for (let n = Math.max(first, last - this.size + 1); n <= last; n++) {
        const i = n % this.size;
        if (ring.slot[i] !== n) continue;
        out.total += ring.total[i];
        out.errors! += ring.errors[i];
        if (k >= 0) out.slow += ring.slow[k][i];
      }
    }
    return out;
  }

  private ring(model: string, version: string): SlotRing {
    let versions = this.rings.get(model);
    if (!versions) {
      versions = new Map();
      this.rings.set(model, versions);
    }
    let ring = versions.get(version);
    if (!ring) {
      ring = new SlotRing(this.size, this.thresholdsSeconds.length);
      versions.set(version, ring);
    }
    return ring;
  }
}
