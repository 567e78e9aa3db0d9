/**
 * The monitoring file a server runs with (`slipway server --monitoring monitoring.yaml`): the tick
 * period, SLOs, alert rules, notification channels, and the skew and performance checks. Parsed
 * once at start; every refusal is INVALID_PARAMETER_VALUE naming the file and the field path
 * (`slos[0].threshold`), and unknown keys are refused so a misspelt one is never silently ignored.
 */
import { readFile } from 'node:fs/promises';
import { parse, YAMLParseError } from 'yaml';
import { invalidParameter, SlipwayError } from '../../core/errors.js';
import { ALERT_RULE_FIELDS, checkAlertRule, durationMs } from '../alerts/rule.js';
import type { AlertRule, AlertRuleInput } from '../alerts/types.js';
import type { PerformanceTask } from '../performance/index.js';
import { checkSloDefinition } from '../slo/slo-definition.js';
import type { SloDefinition } from '../slo/types.js';

/** Where notifications go: a webhook (JSON POST, signed when a secret is set) or the server log. */
export type ChannelConfig =
  | {
      name: string;
      type: 'webhook';
      url: string;
      secret?: string;
      timeoutMs: number;
      headers?: Record<string, string>;
    }
  | { name: string; type: 'log' };

/** Performance from delayed labels for one model (or, without `model`, every served model). */
export interface PerformanceCheck {
  model?: string;
  /** The inference-log column holding the prediction, e.g. `out_score`. */
  prediction: string;
  task: PerformanceTask;
  windowMs: number;
  everyMs: number;
  threshold?: number;
}

/** The skew check's schedule: each served version's traffic over `windowMs`, every `everyMs`. */
export interface SkewCheck {
  enabled: boolean;
  windowMs: number;
  everyMs: number;
}

/** A parsed monitoring file. */
export interface MonitorConfig {
  intervalMs: number;
  slos: SloDefinition[];
  alerts: AlertRule[];
  channels: ChannelConfig[];
  /** Webhook retries (the dispatcher's defaults where unset). */
  retry: { initialDelayMs?: number; maxDelayMs?: number; maxAttempts?: number };
  /** Undefined: on when the server has an inference log (window 1h, every 5m). */
  skew?: SkewCheck;
  performance: PerformanceCheck[];
}

type Map_ = Record<string, unknown>;

const isMap = (v: unknown): v is Map_ => typeof v === 'object' && v !== null && !Array.isArray(v);

function mapAt(value: unknown, field: string, keys: readonly string[]): Map_ {
  if (!isMap(value)) throw invalidParameter(field, 'a mapping', value);
  const unknown = Object.keys(value).find((k) => !keys.includes(k));
  if (unknown !== undefined)
    throw invalidParameter(`${field}.${unknown}`.replace(/^\./, ''), `one of ${keys.join(', ')}`, unknown);
  return value;
}

function listAt(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameter(field, 'a list', value);
  return value;
}

function stringAt(m: Map_, key: string, field: string, optional = false): string | undefined {
  const v = m[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v.trim() === '')
    throw invalidParameter(`${field}.${key}`, 'a non-empty string', v);
  return v;
}

/**
 * Milliseconds in a span as written: a number (ms), `'250ms'`, `'500us'`, or a duration such as
 * `'30s'`, `'5m'`, `'1h'`, `'30d'`.
 *
 * @example spanMs('50ms', 'slos[0].threshold') // 50
 */
export function spanMs(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms)\s*$/.exec(value) : null;
  if (m) return Number(m[1]) / (m[2] === 'ms' ? 1 : 1000);
  if (typeof value !== 'string')
    throw invalidParameter(field, "a duration like '250ms', '30s', '5m' or '1h'", value);
  return durationMs(value, field);
}

function positiveSpan(value: unknown, field: string): number {
  const ms = spanMs(value, field);
  if (!(ms > 0)) throw invalidParameter(field, 'a duration above zero', value);
  return ms;
}

/** Runs `check`, re-pointing the field of its error at `prefix` (and YAML's names for fields). */
function within<T>(prefix: string, rename: Record<string, string>, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (!(err instanceof SlipwayError) || typeof err.details.field !== 'string') throw err;
    const field = `${prefix}.${rename[err.details.field] ?? err.details.field}`;
    throw new SlipwayError(err.code, err.message.replace(`'${err.details.field}'`, `'${field}'`), {
      ...err.details,
      field,
    });
  }
}

function sloAt(value: unknown, i: number): SloDefinition {
  const at = `slos[${i}]`;
  const m = mapAt(value, at, ['name', 'model', 'version', 'kind', 'objective', 'threshold', 'period']);
  const slo: SloDefinition = {
    name: stringAt(m, 'name', at)!,
    model: stringAt(m, 'model', at)!,
    kind: m.kind as SloDefinition['kind'],
    objective: m.objective as number,
  };
  if (m.version !== undefined) slo.version = String(m.version);
  if (m.threshold !== undefined) slo.latencyThresholdMs = positiveSpan(m.threshold, `${at}.threshold`);
  if (m.period !== undefined) slo.periodMs = positiveSpan(m.period, `${at}.period`);
  within(at, { latencyThresholdMs: 'threshold', periodMs: 'period' }, () => checkSloDefinition(slo));
  return slo;
}

function channelAt(
  value: unknown,
  i: number,
  env: Readonly<Record<string, string | undefined>>,
): ChannelConfig {
  const at = `channels[${i}]`;
  const m = mapAt(value, at, ['name', 'type', 'url', 'secret', 'timeout', 'headers']);
  const name = stringAt(m, 'name', at)!;
  if (m.type === 'log') {
    mapAt(value, at, ['name', 'type']);
    return { name, type: 'log' };
  }
  if (m.type !== 'webhook') throw invalidParameter(`${at}.type`, "'webhook' or 'log'", m.type);
  const url = stringAt(m, 'url', at)!;
  if (!/^https?:\/\/[^/]/.test(url)) throw invalidParameter(`${at}.url`, 'an http:// or https:// URL', url);
  const channel: ChannelConfig = {
    name,
    type: 'webhook',
    url,
    timeoutMs: m.timeout === undefined ? 5_000 : positiveSpan(m.timeout, `${at}.timeout`),
  };
  const secret = stringAt(m, 'secret', at, true);
  if (secret !== undefined) {
    // `${VAR}` reads the secret from the server's environment, so it stays out of the file.
    const ref = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(secret.trim());
    const resolved = ref ? env[ref[1]!] : secret;
    if (resolved === undefined || resolved === '')
      throw invalidParameter(`${at}.secret`, `the environment variable ${ref?.[1]} to be set`, secret);
    channel.secret = resolved;
  }
  if (m.headers !== undefined) {
    const h = m.headers;
    if (!isMap(h) || Object.values(h).some((v) => typeof v !== 'string'))
      throw invalidParameter(`${at}.headers`, 'a mapping of strings', h);
    channel.headers = h as Record<string, string>;
  }
  return channel;
}

function alertAt(value: unknown, i: number): AlertRule {
  const at = `alerts[${i}]`;
  mapAt(value, at, ALERT_RULE_FIELDS);
  return within(at, {}, () => checkAlertRule(value as AlertRuleInput));
}

function skewAt(value: unknown): SkewCheck | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === false) return { enabled: false, windowMs: 0, everyMs: 0 };
  const m = mapAt(value, 'skew', ['window', 'every', 'enabled']);
  if (m.enabled !== undefined && typeof m.enabled !== 'boolean')
    throw invalidParameter('skew.enabled', 'true or false', m.enabled);
  return {
    enabled: m.enabled !== false,
    windowMs: m.window === undefined ? 3_600_000 : positiveSpan(m.window, 'skew.window'),
    everyMs: m.every === undefined ? 300_000 : positiveSpan(m.every, 'skew.every'),
  };
}

const TASKS: readonly PerformanceTask[] = ['binary', 'multiclass', 'regression'];

function performanceAt(value: unknown, at: string): PerformanceCheck {
  const m = mapAt(value, at, ['model', 'prediction', 'task', 'window', 'every', 'threshold']);
  const task = (m.task ?? 'binary') as PerformanceTask;
  if (!TASKS.includes(task)) throw invalidParameter(`${at}.task`, TASKS.join(', '), m.task);
  const check: PerformanceCheck = {
    prediction: stringAt(m, 'prediction', at)!,
    task,
    windowMs: m.window === undefined ? 3_600_000 : positiveSpan(m.window, `${at}.window`),
    everyMs: m.every === undefined ? 300_000 : positiveSpan(m.every, `${at}.every`),
  };
  const model = stringAt(m, 'model', at, true);
  if (model !== undefined) check.model = model;
  if (m.threshold !== undefined) {
    if (typeof m.threshold !== 'number' || !(m.threshold >= 0 && m.threshold <= 1))
      throw invalidParameter(`${at}.threshold`, 'a number in [0, 1]', m.threshold);
    check.threshold = m.threshold;
  }
  return check;
}

function unique(names: string[], field: string): void {
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw invalidParameter(field, 'unique names', dup);
}

/**
 * Parses a monitoring file's text; `env` resolves `${VAR}` secrets.
 *
 * @example
 * parseMonitorConfig('interval: 30s\nslos:\n  - {name: p99, model: fraud, kind: latency, objective: 0.99, threshold: 50ms}\n', {
 *   file: 'monitoring.yaml', env: process.env,
 * });
 */
export function parseMonitorConfig(
  text: string,
  opts: { file: string; env: Readonly<Record<string, string | undefined>> },
): MonitorConfig {
  try {
    let doc: unknown;
    try {
      doc = parse(text) ?? {};
    } catch (err) {
      if (!(err instanceof YAMLParseError)) throw err;
      throw invalidParameter('monitoring', 'valid YAML', err.message.split('\n')[0]);
    }
    const m = mapAt(doc, '', ['interval', 'slos', 'alerts', 'channels', 'retry', 'skew', 'performance']);
    const slos = listAt(m.slos, 'slos').map(sloAt);
    unique(
      slos.map((s) => s.name),
      'slos',
    );
    const alerts = listAt(m.alerts, 'alerts').map(alertAt);
    unique(
      alerts.map((a) => a.name),
      'alerts',
    );
    const channels = listAt(m.channels, 'channels').map((c, i) => channelAt(c, i, opts.env));
    unique(
      channels.map((c) => c.name),
      'channels',
    );
    const retryMap = m.retry === undefined ? {} : mapAt(m.retry, 'retry', ['initial', 'max', 'attempts']);
    const retry: MonitorConfig['retry'] = {};
    if (retryMap.initial !== undefined)
      retry.initialDelayMs = positiveSpan(retryMap.initial, 'retry.initial');
    if (retryMap.max !== undefined) retry.maxDelayMs = positiveSpan(retryMap.max, 'retry.max');
    if (retryMap.attempts !== undefined) {
      if (!Number.isSafeInteger(retryMap.attempts) || (retryMap.attempts as number) < 1)
        throw invalidParameter('retry.attempts', 'a whole number ≥ 1', retryMap.attempts);
      retry.maxAttempts = retryMap.attempts as number;
    }
    const perf = m.performance;
    const performance = Array.isArray(perf)
      ? perf.map((p, i) => performanceAt(p, `performance[${i}]`))
      : perf === undefined || perf === null
        ? []
        : [performanceAt(perf, 'performance')];
    return {
      intervalMs: m.interval === undefined ? 30_000 : positiveSpan(m.interval, 'interval'),
      slos,
      alerts,
      channels,
      retry,
      skew: skewAt(m.skew),
      performance,
    };
  } catch (err) {
    if (!(err instanceof SlipwayError)) throw err;
    throw new SlipwayError(err.code, `${opts.file}: ${err.message}`, { ...err.details, file: opts.file });
  }
}

/**
 * Reads and parses a monitoring file; a missing file is INVALID_PARAMETER_VALUE naming `monitoring`.
 *
 * @example const config = await loadMonitorConfig('monitoring.yaml', process.env);
 */
export async function loadMonitorConfig(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<MonitorConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw invalidParameter(
      'monitoring',
      'a readable monitoring YAML file',
      `${file} (${(err as Error).message})`,
    );
  }
  return parseMonitorConfig(text, { file, env });
}
