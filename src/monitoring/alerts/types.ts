/**
 * Alerting's public types: rules over named metric series, the state of each alert (one per rule
 * and label set), the notification it sends, and the durable record of every delivery.
 */

export type Comparison = '>' | '>=' | '<' | '<=' | '==' | '!=';
export type AlertSeverity = 'critical' | 'warning' | 'info';

/**
 * A condition on a metric series, e.g. "slow burn of the p99 SLO above 6× for 10 minutes".
 *
 * @example { name: 'fraud-drift', metric: 'drift.share', comparison: '>', threshold: 0.5, windowMs: 3_600_000, forMs: 600_000, severity: 'warning', labels: { team: 'risk' } }
 */
export interface AlertRule {
  name: string;
  /** A series name: 'drift.share', 'drift.<column>', 'performance.<metric>', 'slo.<name>.burn', 'latency.p99', … */
  metric: string;
  comparison: Comparison;
  threshold: number;
  /** The window the metric is read over (ms; default 5 minutes). */
  windowMs: number;
  /** How long the condition must hold before the alert fires (ms; 0 fires at once). */
  forMs: number;
  severity: AlertSeverity;
  /** Added to every alert of the rule (and part of its dedup key). */
  labels: Record<string, string>;
  /** While firing, notify again this often (ms); undefined: once per firing. */
  renotifyMs?: number;
}

/** A rule as written: durations as milliseconds or strings such as '5m', '1h'. */
export type AlertRuleInput = Omit<AlertRule, 'windowMs' | 'forMs' | 'renotifyMs' | 'labels' | 'severity'> & {
  window?: number | string;
  for?: number | string;
  renotify?: number | string;
  severity?: AlertSeverity;
  labels?: Record<string, string>;
};

/** inactive → pending (condition true) → firing (true for ≥ `for`) → resolved (false again). */
export type AlertStateName = 'inactive' | 'pending' | 'firing' | 'resolved';

/** One alert: a rule and one label set, its state and when it got there. */
export interface AlertState {
  rule: string;
  /** Dedup key: the rule and its sorted labels. */
  key: string;
  labels: Record<string, string>;
  state: AlertStateName;
  /** The metric's value at the last evaluation (null when the series had no value). */
  value: number | null;
  /** Since when the condition holds (pending or firing); null otherwise. */
  activeSince: number | null;
  firingSince: number | null;
  resolvedAt: number | null;
  evaluatedAt: number;
  lastNotifiedAt: number | null;
}

/** What channels receive (the webhook's JSON body). */
export interface AlertNotification {
  alert: string;
  key: string;
  state: 'firing' | 'resolved';
  severity: AlertSeverity;
  metric: string;
  comparison: Comparison;
  value: number | null;
  threshold: number;
  labels: Record<string, string>;
  /** ISO time the alert started firing. */
  startsAt: string | null;
  /** ISO time it resolved (resolved notifications). */
  endsAt: string | null;
  /** ISO time of the evaluation that sent it. */
  sentAt: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One notification to one channel, kept until delivered (the outbox). */
export interface Delivery {
  id: string;
  channel: string;
  rule: string;
  alertKey: string;
  /** The exact body sent (and signed) on every attempt. */
  body: string;
  status: DeliveryStatus;
  attempts: number;
  /** When the next attempt is due (pending only). */
  nextAttemptAt: number | null;
  createdAt: number;
  deliveredAt: number | null;
  lastError: string | null;
}

/** One attempt of one delivery. */
export interface DeliveryAttempt {
  deliveryId: string;
  attempt: number;
  startedAt: number;
  finishedAt: number;
  /** The receiver's HTTP status; null when none came (refused, timed out). */
  statusCode: number | null;
  error: string | null;
}

/** Persistence of rules, alert states and the delivery outbox (SQLite or PostgreSQL). */
export interface AlertStore {
  putRule(rule: AlertRule, now: number): Promise<void>;
  /** False when no such rule existed. */
  deleteRule(name: string): Promise<boolean>;
  listRules(): Promise<AlertRule[]>;
  saveStates(states: readonly AlertState[]): Promise<void>;
  listStates(rule?: string): Promise<AlertState[]>;
  addDelivery(delivery: Delivery): Promise<void>;
  /** Records an attempt and the delivery's new status in one transaction. */
  recordAttempt(attempt: DeliveryAttempt, delivery: Delivery): Promise<void>;
  /** Deliveries still to be made, oldest first. */
  pendingDeliveries(): Promise<Delivery[]>;
  listDeliveries(filter?: { rule?: string; status?: DeliveryStatus; limit?: number }): Promise<Delivery[]>;
  listAttempts(deliveryId: string): Promise<DeliveryAttempt[]>;
}
