/**
 * Where notifications go: a webhook (JSON POST, HMAC-signed when it has a secret, with a timeout)
 * or the log. A channel's `send` throws {@link DeliveryError} when the receiver did not take it.
 */
import { createHmac } from 'node:crypto';
import { invalidParameter } from '../../core/errors.js';

/** A failed attempt, with the receiver's HTTP status when one came. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** One destination of notifications. */
export interface NotificationChannel {
  /** Unique among a dispatcher's channels; stored with each delivery. */
  readonly name: string;
  /** Sends one notification body (JSON text); resolves with the receiver's status, if any. */
  send(body: string, meta: { deliveryId: string; attempt: number }): Promise<number | null>;
}

/** The signature header's value: `sha256=<hex HMAC-SHA256 of the body>`. */
export function signatureOf(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookChannelOptions {
  name?: string;
  url: string;
  /** When set, each request carries `X-Slipway-Signature: sha256=<hex HMAC of the body>`. */
  secret?: string;
  /** Per attempt (default 5 s): a receiver slower than this counts as failed and is retried. */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/**
 * A webhook receiver: POST of the notification as JSON; 2xx is delivered, anything else is retried.
 *
 * @example webhookChannel({ url: 'https://hooks.example.com/slipway', secret: process.env.HOOK_SECRET })
 */
export function webhookChannel(opts: WebhookChannelOptions): NotificationChannel {
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    throw invalidParameter('url', 'an http:// or https:// URL', opts.url);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalidParameter('url', 'an http:// or https:// URL', opts.url);
  const timeoutMs = opts.timeoutMs ?? 5_000;
  if (!(timeoutMs > 0))
    throw invalidParameter('timeoutMs', 'a positive number of milliseconds', opts.timeoutMs);
  return {
    name: opts.name ?? `webhook:${url.host}${url.pathname}`,
    async send(body, meta) {
      const headers: Record<string, string> = {
        ...opts.headers,
        'content-type': 'application/json',
        'user-agent': 'slipway-alerts',
        'x-slipway-delivery': meta.deliveryId,
        'x-slipway-attempt': String(meta.attempt),
      };
      if (opts.secret) headers['x-slipway-signature'] = signatureOf(body, opts.secret);
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        const why =
          e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
        throw new DeliveryError(why, null);
      }
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new DeliveryError(`HTTP ${res.status}`, res.status);
      return res.status;
    },
  };
}

/**
 * The log as a channel: one line per notification through `write` (e.g. the server's logger).
 *
 * @example logChannel((line) => app.log.warn(line))
 */
export function logChannel(write: (line: string) => void, name = 'log'): NotificationChannel {
  return {
    name,
    async send(body) {
      const n = JSON.parse(body) as {
        alert: string;
        state: string;
        severity: string;
        value: unknown;
        threshold: unknown;
      };
      write(
        `alert ${n.alert} ${n.state} (${n.severity}): value ${n.value}, threshold ${n.threshold} ${body}`,
      );
      return null;
    },
  };
}
