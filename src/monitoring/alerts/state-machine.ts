/**
 * One alert's next state from its previous one and this evaluation's condition — pure, so the
 * transitions are tested with a pinned clock. inactive → pending when the condition holds; pending
 * → firing once it has held for the rule's `for`; firing → resolved when it stops holding; pending
 * → inactive when it stops before firing. A firing alert is notified on entering firing and on
 * resolving (and again every `renotify` while it fires), never on every evaluation: that is the
 * deduplication.
 */
import type { AlertRule, AlertState } from './types.js';

export interface AlertStep {
  state: AlertState;
  /** What to notify after this evaluation, if anything. */
  notify: 'firing' | 'resolved' | null;
}

/** The state of a never-seen alert. */
export function initialAlertState(
  rule: string,
  key: string,
  labels: Record<string, string>,
  now: number,
): AlertState {
  return {
    rule,
    key,
    labels,
    state: 'inactive',
    value: null,
    activeSince: null,
    firingSince: null,
    resolvedAt: null,
    evaluatedAt: now,
    lastNotifiedAt: null,
  };
}

/**
 * The step from `prev` given whether the condition holds now.
 *
 * @example nextAlertState(rule, prev, true, 0.7, now) // { state: { state: 'pending', … }, notify: null }
 */
export function nextAlertState(
  rule: AlertRule,
  prev: AlertState,
  holds: boolean,
  value: number | null,
  now: number,
): AlertStep {
  const s: AlertState = { ...prev, value, evaluatedAt: now };
  if (!holds) {
    if (prev.state === 'firing') {
      return {
        state: { ...s, state: 'resolved', activeSince: null, resolvedAt: now, lastNotifiedAt: now },
        notify: 'resolved',
      };
    }
    if (prev.state === 'pending')
      return { state: { ...s, state: 'inactive', activeSince: null }, notify: null };
    return { state: s, notify: null };
  }
  const activeSince = prev.state === 'pending' || prev.state === 'firing' ? prev.activeSince! : now;
  if (prev.state === 'firing') {
    const due = rule.renotifyMs !== undefined && now - (prev.lastNotifiedAt ?? 0) >= rule.renotifyMs;
    return due ? { state: { ...s, lastNotifiedAt: now }, notify: 'firing' } : { state: s, notify: null };
  }
  if (now - activeSince >= rule.forMs) {
    return {
      state: { ...s, state: 'firing', activeSince, firingSince: now, resolvedAt: null, lastNotifiedAt: now },
      notify: 'firing',
    };
  }
  return {
    state: { ...s, state: 'pending', activeSince, firingSince: null, resolvedAt: null },
    notify: null,
  };
}
