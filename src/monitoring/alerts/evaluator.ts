/**
 * The alert loop: at each tick, every rule reads its metric's series, each series steps its alert
 * through the state machine, the states are saved, and transitions become notifications handed to
 * a dispatcher that never blocks (a full queue drops and counts). A source that fails skips its
 * rule for that tick, keeping the rule's alerts as they were.
 */
import { type Clock, systemClock } from '../../core/clock.js';
import { notFound } from '../../core/errors.js';
import { labelKey, type MetricSources } from './metric-sources.js';
import { checkAlertRule, compare } from './rule.js';
import { initialAlertState, nextAlertState } from './state-machine.js';
import type { AlertNotification, AlertRule, AlertRuleInput, AlertState, AlertStore } from './types.js';

/** Takes notifications without waiting (see NotificationDispatcher). */
export interface AlertNotifier {
  notify(notification: AlertNotification): boolean;
}

export interface AlertEvaluatorOptions {
  store: AlertStore;
  metrics: MetricSources;
  notifier: AlertNotifier;
  clock?: Clock;
  /** Told when a rule's metric could not be read (the rule is skipped for that tick). */
  onError?: (rule: string, err: unknown) => void;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * Alert rules, their alerts' states, and the tick that evaluates them.
 *
 * @example
 * const alerts = await openAlertEvaluator({ store, metrics, notifier: dispatcher });
 * await alerts.putRule({ name: 'drift', metric: 'drift.share', comparison: '>', threshold: 0.5, for: '10m' });
 * setInterval(() => alerts.tick(), 30_000);
 */
export async function openAlertEvaluator(opts: AlertEvaluatorOptions): Promise<AlertEvaluator> {
  const e = new AlertEvaluator(opts);
  await e.load();
  return e;
}

export class AlertEvaluator {
  private readonly rules = new Map<string, AlertRule>();
  /** rule → key → state */
  private readonly states = new Map<string, Map<string, AlertState>>();
  private readonly clock: Clock;

  constructor(private readonly opts: AlertEvaluatorOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  /** Reads rules and states from the store (after a restart: firing alerts stay firing, unnotified). */
  async load(): Promise<void> {
    this.rules.clear();
    this.states.clear();
    for (const r of await this.opts.store.listRules()) this.rules.set(r.name, r);
    for (const s of await this.opts.store.listStates()) this.statesOf(s.rule).set(s.key, s);
  }

  /** Adds or replaces a rule; its metric must be one a registered source knows. */
  async putRule(input: AlertRuleInput | AlertRule): Promise<AlertRule> {
    const rule = checkAlertRule(input);
    this.opts.metrics.sourceOf(rule.metric);
    await this.opts.store.putRule(rule, this.clock.now());
    this.rules.set(rule.name, rule);
    return rule;
  }

  async deleteRule(name: string): Promise<void> {
    if (!(await this.opts.store.deleteRule(name))) throw notFound('Alert rule', name);
    this.rules.delete(name);
    this.states.delete(name);
  }

  listRules(): AlertRule[] {
    return [...this.rules.values()];
  }

  /** Every alert's latest state (for /metrics and listings). */
  alerts(): AlertState[] {
    return [...this.states.values()].flatMap((m) => [...m.values()]);
  }

  /** Evaluates every rule at `now`; returns the alerts that changed state or notified. */
  async tick(now = this.clock.now()): Promise<AlertState[]> {
    const changed: AlertState[] = [];
    const saved: AlertState[] = [];
    await Promise.all(
      [...this.rules.values()].map(async (rule) => {
        let series: Array<{ labels: Record<string, string>; value: number }>;
        try {
          series = await this.opts.metrics.sourceOf(rule.metric).read(rule.metric, rule.windowMs, now);
        } catch (err) {
          this.opts.onError?.(rule.name, err);
          return;
        }
        const states = this.statesOf(rule.name);
        const seen = new Set<string>();
        const step = (key: string, labels: Record<string, string>, value: number | null) => {
          seen.add(key);
          const prev = states.get(key) ?? initialAlertState(rule.name, key, labels, now);
          const { state, notify } = nextAlertState(
            rule,
            prev,
            compare(value, rule.comparison, rule.threshold),
            value,
            now,
          );
          states.set(key, state);
          saved.push(state);
          if (state.state !== prev.state || notify) changed.push(state);
          if (notify) this.opts.notifier.notify(this.notification(rule, state, notify, now));
        };
        for (const s of series) {
          const labels = { ...s.labels, ...rule.labels };
          step(`${rule.name}{${labelKey(labels)}}`, labels, s.value);
        }
        // A series that vanished reads as "condition false": its alert resolves.
        for (const [key, prev] of states) if (!seen.has(key)) step(key, prev.labels, null);
      }),
    );
    await this.opts.store.saveStates(saved);
    return changed;
  }

  private notification(
    rule: AlertRule,
    s: AlertState,
    state: 'firing' | 'resolved',
    now: number,
  ): AlertNotification {
    return {
      alert: rule.name,
      key: s.key,
      state,
      severity: rule.severity,
      metric: rule.metric,
      comparison: rule.comparison,
      value: s.value,
      threshold: rule.threshold,
      labels: s.labels,
      startsAt: iso(s.firingSince),
      endsAt: iso(state === 'resolved' ? s.resolvedAt : null),
      sentAt: new Date(now).toISOString(),
    };
  }

  private statesOf(rule: string): Map<string, AlertState> {
    let m = this.states.get(rule);
    if (!m) {
      m = new Map();
      this.states.set(rule, m);
    }
    return m;
  }
}
