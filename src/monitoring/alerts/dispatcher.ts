/**
 * Notification delivery that never blocks the alert loop and never loses an alert to a receiver
 * that is down, slow or failing. `notify` only queues (a bounded queue; overflow is dropped and
 * counted). Each queued notification becomes one delivery per channel, written to the store's
 * outbox before the first attempt; failed attempts are retried with exponential backoff and jitter,
 * every attempt is recorded, and deliveries still pending when the process stops are picked up
 * again by the next `start`.
 */
import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../../core/clock.js';
import { alreadyExists, invalidParameter } from '../../core/errors.js';
import { DeliveryError, type NotificationChannel } from './channels.js';
import type { AlertNotifier } from './evaluator.js';
import type { AlertNotification, AlertStore, Delivery } from './types.js';

export interface RetryPolicy {
  /** Delay before the second attempt (default 1 s). */
  initialDelayMs: number;
  /** Longest delay between attempts (default 5 min). */
  maxDelayMs: number;
  /** Growth per attempt (default 2). */
  factor: number;
  /** Share of each delay randomized, ± half of it (default 0.2), so receivers are not hit in lockstep. */
  jitter: number;
  /** Attempts before a delivery is marked failed (default 30: about two hours at the defaults). */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  initialDelayMs: 1_000,
  maxDelayMs: 300_000,
  factor: 2,
  jitter: 0.2,
  maxAttempts: 30,
});

export interface DispatcherOptions {
  store: AlertStore;
  channels: readonly NotificationChannel[];
  retry?: Partial<RetryPolicy>;
  /** Notifications waiting to be written to the outbox at most, besides the one being written (default 10,000). */
  maxQueued?: number;
  /** Attempts in flight at most (default 8). */
  concurrency?: number;
  clock?: Clock;
  random?: () => number;
  /** Outbox write failures (the notification is lost and counted as dropped). */
  onError?: (err: unknown) => void;
}

/** Counters of what the dispatcher has done since it started. */
export interface DispatcherStats {
  queued: number;
  /** Notifications refused because the queue was full (or the outbox write failed). */
  dropped: number;
  /** Deliveries waiting for their next attempt or in flight. */
  pending: number;
  delivered: number;
  failed: number;
  attempts: number;
}

/** The delay before attempt `attempt + 1` after `attempt` failures. */
export function retryDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1));
  return Math.max(0, Math.round(base * (1 - policy.jitter / 2 + policy.jitter * random())));
}

/**
 * The outbox-backed notifier the alert evaluator hands its notifications to.
 *
 * @example
 * const dispatcher = new NotificationDispatcher({ store, channels: [webhookChannel({ url, secret })] });
 * await dispatcher.start();
 * const alerts = await openAlertEvaluator({ store, metrics, notifier: dispatcher });
 */
export class NotificationDispatcher implements AlertNotifier {
  private readonly queue: AlertNotification[] = [];
  private readonly channels = new Map<string, NotificationChannel>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly waiting: Delivery[] = [];
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly counts = { dropped: 0, delivered: 0, failed: 0, attempts: 0 };
  private active = 0;
  private pumping = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly opts: DispatcherOptions) {
    for (const c of opts.channels) {
      if (this.channels.has(c.name)) throw alreadyExists('Notification channel', c.name);
      this.channels.set(c.name, c);
    }
    this.retry = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    if (!(this.retry.maxAttempts >= 1))
      throw invalidParameter('retry.maxAttempts', 'at least 1', this.retry.maxAttempts);
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
  }

  /** Resumes the deliveries the outbox still holds (from before a restart). */
  async start(): Promise<void> {
    const now = this.clock.now();
    for (const d of await this.opts.store.pendingDeliveries()) {
      this.schedule(d, Math.max(0, (d.nextAttemptAt ?? now) - now));
    }
  }

  /** Queues a notification for every channel; false (and counted) when the queue is full. Never waits. */
  notify(notification: AlertNotification): boolean {
    if (this.closed || this.queue.length >= (this.opts.maxQueued ?? 10_000)) {
      this.counts.dropped++;
      return false;
    }
    this.queue.push(notification);
    if (!this.pumping) void this.pump();
    return true;
  }

  stats(): DispatcherStats {
    return {
      queued: this.queue.length,
      pending: this.timers.size + this.waiting.length + this.active,
      ...this.counts,
    };
  }

  /** Resolves once nothing is queued, scheduled or in flight (every delivery delivered or failed). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Writes what is queued to the outbox, lets attempts in flight finish, and stops; pending deliveries stay in the outbox. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.pumping || this.active > 0) await new Promise((r) => setTimeout(r, 5));
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.waiting.length = 0;
    this.checkIdle();
  }

  /** Turns queued notifications into outbox rows, one per channel, and schedules their first attempt. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const n = this.queue.shift()!;
        const body = JSON.stringify(n);
        for (const channel of this.channels.values()) {
          const now = this.clock.now();
          const d: Delivery = {
            id: randomBytes(12).toString('hex'),
            channel: channel.name,
            rule: n.alert,
            alertKey: n.key,
            body,
            status: 'pending',
            attempts: 0,
            nextAttemptAt: now,
            createdAt: now,
            deliveredAt: null,
            lastError: null,
          };
          try {
            await this.opts.store.addDelivery(d);
          } catch (err) {
            this.counts.dropped++;
            this.opts.onError?.(err);
            continue;
          }
          if (!this.closed) this.schedule(d, 0);
        }
      }
    } finally {
      this.pumping = false;
      this.checkIdle();
    }
  }

  private schedule(d: Delivery, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(d.id);
      this.waiting.push(d);
      this.drain();
    }, delayMs);
    timer.unref();
    this.timers.set(d.id, timer);
  }

  private drain(): void {
    const limit = this.opts.concurrency ?? 8;
    while (this.active < limit && this.waiting.length > 0 && !this.closed) {
      const d = this.waiting.shift()!;
      this.active++;
      void this.attempt(d).finally(() => {
        this.active--;
        this.drain();
        this.checkIdle();
      });
    }
  }

  private async attempt(d: Delivery): Promise<void> {
    const channel = this.channels.get(d.channel);
    const attempt = d.attempts + 1;
    const startedAt = this.clock.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    if (!channel) {
      error = `channel '${d.channel}' is not configured`;
    } else {
      try {
        statusCode = await channel.send(d.body, { deliveryId: d.id, attempt });
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        statusCode = err instanceof DeliveryError ? err.statusCode : null;
      }
    }
    this.counts.attempts++;
    const finishedAt = this.clock.now();
    const next: Delivery = { ...d, attempts: attempt, lastError: error };
    let delay = 0;
    if (error === null) {
      Object.assign(next, { status: 'delivered', deliveredAt: finishedAt, nextAttemptAt: null });
    } else if (!channel || attempt >= this.retry.maxAttempts) {
      Object.assign(next, { status: 'failed', nextAttemptAt: null });
    } else {
      delay = retryDelay(this.retry, attempt, this.random);
      next.nextAttemptAt = finishedAt + delay;
    }
    try {
      await this.opts.store.recordAttempt(
        { deliveryId: d.id, attempt, startedAt, finishedAt, statusCode, error },
        next,
      );
    } catch (err) {
      this.opts.onError?.(err);
    }
    if (next.status === 'delivered') this.counts.delivered++;
    else if (next.status === 'failed') this.counts.failed++;
    else this.schedule(next, delay);
  }

  private isIdle(): boolean {
    return (
      this.queue.length === 0 &&
      !this.pumping &&
      this.timers.size === 0 &&
      this.waiting.length === 0 &&
      this.active === 0
    );
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
