/**
 * Where alert rules read their numbers: sources that answer for some metric names ('drift.*',
 * 'slo.*', …), registered by the modules that compute them. A metric may have several series
 * (one per model, per column, …), told apart by labels.
 */
import { alreadyExists, invalidParameter } from '../../core/errors.js';

/** One series of a metric at one evaluation. */
export interface MetricSeries {
  labels: Record<string, string>;
  value: number;
}

/**
 * A module's numbers, as alert rules read them.
 *
 * @example
 * const slo: MetricSource = { name: 'slo', has: (m) => board.series(m) !== undefined, read: async (m) => board.series(m) ?? [] };
 */
export interface MetricSource {
  /** Shown in errors and logs. */
  readonly name: string;
  /** Whether this source answers for `metric`. */
  has(metric: string): boolean;
  /** The series of `metric` over the `windowMs` before `now` (empty: no data). */
  read(metric: string, windowMs: number, now: number): Promise<MetricSeries[]>;
}

/** The registered sources; the first that has a metric answers for it. */
export class MetricSources {
  private readonly sources: MetricSource[] = [];

  constructor(sources: readonly MetricSource[] = []) {
    for (const s of sources) this.register(s);
  }

  register(source: MetricSource): void {
    if (this.sources.some((s) => s.name === source.name)) throw alreadyExists('Metric source', source.name);
    this.sources.push(source);
  }

  /** The source answering for `metric`, or INVALID_PARAMETER_VALUE naming the field `metric`. */
  sourceOf(metric: string): MetricSource {
    const source = this.sources.find((s) => s.has(metric));
    if (!source)
      throw invalidParameter(
        'metric',
        `a series one of the metric sources (${this.sources.map((s) => s.name).join(', ') || 'none'}) knows`,
        metric,
      );
    return source;
  }
}

interface Recorded {
  labels: Record<string, string>;
  value: number;
  at: number;
}

/**
 * Numbers modules push as they compute them (a drift run's `drift.share`, an evaluation's
 * `performance.accuracy`): a rule reads, per label set, the latest value recorded within its window.
 *
 * @example
 * const recorded = new RecordedMetrics('drift', /^drift\./);
 * recorded.record('drift.share', 0.6, { model: 'fraud' }, Date.now());
 */
export class RecordedMetrics implements MetricSource {
  private readonly latest = new Map<string, Map<string, Recorded>>();

  constructor(
    readonly name: string,
    private readonly names: RegExp,
  ) {}

  has(metric: string): boolean {
    return this.names.test(metric);
  }

  record(metric: string, value: number, labels: Record<string, string>, at: number): void {
    if (!this.has(metric)) throw invalidParameter('metric', `a name matching ${this.names}`, metric);
    if (typeof value !== 'number') throw invalidParameter('value', 'a number', value);
    let series = this.latest.get(metric);
    if (!series) {
      series = new Map();
      this.latest.set(metric, series);
    }
    const key = labelKey(labels);
    const prev = series.get(key);
    if (!prev || prev.at <= at) series.set(key, { labels: { ...labels }, value, at });
  }

  async read(metric: string, windowMs: number, now: number): Promise<MetricSeries[]> {
    const out: MetricSeries[] = [];
    for (const r of this.latest.get(metric)?.values() ?? []) {
      if (r.at > now - windowMs && r.at <= now) out.push({ labels: r.labels, value: r.value });
    }
    return out;
  }
}

/** A stable text of a label set: `a="1",b="2"` in key order. */
export function labelKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}
