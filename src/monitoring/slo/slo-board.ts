/**
 * The SLOs a process watches: evaluated together at each tick, the latest verdicts kept for
 * Prometheus (`slipway_slo_burn_rate{model,version,slo,window}`) and for alert rules
 * (`slo.<name>.burn`, `slo.<name>.burn.<pair>`, `slo.<name>.budget`).
 */
import client from 'prom-client';
import { alreadyExists } from '../../core/errors.js';
import { evaluateSlo } from './burn-rate.js';
import { checkSloDefinition } from './slo-definition.js';
import type { SloDefinition, SloSource, SloVerdict } from './types.js';

/** `3600000` → `1h`, `300000` → `5m`, `90000` → `90s`: the window label of a span. */
export function spanLabel(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A named number series an alert rule can read (labels tell the series of one metric apart). */
export interface SloSeries {
  labels: Record<string, string>;
  value: number;
}

/**
 * SLO definitions over one source, evaluated together.
 *
 * @example
 * const board = new SloBoard(counters, [{ name: 'p99', model: 'fraud', kind: 'latency', objective: 0.99, latencyThresholdMs: 50 }]);
 * registerSloGauges(engine.metrics.registry, board);
 * await board.evaluate(Date.now());
 */
export class SloBoard {
  private readonly slos = new Map<string, SloDefinition>();
  private verdicts = new Map<string, SloVerdict>();

  constructor(
    private readonly source: SloSource,
    slos: readonly SloDefinition[] = [],
  ) {
    for (const s of slos) this.add(s);
  }

  /** Adds an SLO (its name must be new). */
  add(slo: SloDefinition): void {
    checkSloDefinition(slo);
    if (this.slos.has(slo.name)) throw alreadyExists('SLO', slo.name);
    this.slos.set(slo.name, slo);
  }

  /** Evaluates every SLO at `now`; the verdicts replace the previous ones. */
  async evaluate(now: number): Promise<SloVerdict[]> {
    const out = await Promise.all([...this.slos.values()].map((s) => evaluateSlo(s, this.source, now)));
    this.verdicts = new Map(out.map((v) => [v.slo.name, v]));
    return out;
  }

  /** The latest verdicts. */
  latest(): SloVerdict[] {
    return [...this.verdicts.values()];
  }

  /**
   * The alert series `metric` names, from the latest verdicts: `slo.<name>.burn` is the highest burn
   * rate both windows of a pair agree on (min of long and short), `slo.<name>.burn.<pair>` that of one
   * pair, `slo.<name>.budget` the share of the budget left. Undefined when `metric` is no SLO series.
   */
  series(metric: string): SloSeries[] | undefined {
    const m = /^slo\.(.+?)\.(burn|budget)(?:\.([^.]+))?$/.exec(metric);
    if (!m) return undefined;
    const [, name, what, pair] = m;
    const v = this.verdicts.get(name);
    if (!v) return this.slos.has(name) ? [] : undefined;
    const labels = { model: v.slo.model, version: v.slo.version ?? '', slo: name };
    if (what === 'budget') return pair === undefined ? [{ labels, value: v.budgetRemaining }] : undefined;
    const pairs = v.windows.filter((w) => pair === undefined || w.window.name === pair);
    if (pairs.length === 0) return undefined;
    return [{ labels, value: Math.max(...pairs.map((w) => Math.min(w.longBurnRate, w.shortBurnRate))) }];
  }
}

/**
 * Registers `slipway_slo_burn_rate{model,version,slo,window}` on a prom-client registry (the serving
 * engine's: `engine.metrics.registry`), read from the board's latest verdicts at scrape time.
 */
export function registerSloGauges(registry: client.Registry, board: SloBoard): void {
  new client.Gauge({
    name: 'slipway_slo_burn_rate',
    help: 'Error-budget burn rate of an SLO over a window (1 spends the budget exactly over the SLO period)',
    labelNames: ['model', 'version', 'slo', 'window'],
    registers: [registry],
    collect() {
      this.reset();
      for (const v of board.latest()) {
        const base = { model: v.slo.model, version: v.slo.version ?? '', slo: v.slo.name };
        for (const w of v.windows) {
          this.set({ ...base, window: spanLabel(w.window.longMs) }, w.longBurnRate);
          this.set({ ...base, window: spanLabel(w.window.shortMs) }, w.shortBurnRate);
        }
      }
    },
  });
}
