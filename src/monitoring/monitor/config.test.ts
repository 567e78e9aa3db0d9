import { describe, expect, it } from 'vitest';
import { parseMonitorConfig } from './config.js';

const parse = (text: string, env: Record<string, string> = {}) =>
  parseMonitorConfig(text, { file: 'monitoring.yaml', env });

const FULL = `
interval: 15s
slos:
  - {name: p99, model: fraud, kind: latency, objective: 0.99, threshold: 50ms, period: 7d}
  - {name: errs, model: fraud, version: 3, kind: errors, objective: 0.999}
alerts:
  - {name: fast-burn, metric: slo.p99.burn, comparison: '>=', threshold: 14.4, for: 2m, severity: critical}
  - {name: skew, metric: drift.share, comparison: '>', threshold: 0.5, window: 1h}
channels:
  - {name: ops, type: webhook, url: 'http://hooks.example/slipway', secret: '\${HOOK_SECRET}', timeout: 2s}
  - {name: log, type: log}
retry: {initial: 250ms, attempts: 5}
skew: {window: 2h, every: 10m}
performance: {model: fraud, prediction: out_score, window: 1d}
`;

describe('the monitoring file', () => {
  it('reads every section, with durations in milliseconds and the secret from the environment', () => {
    const c = parse(FULL, { HOOK_SECRET: 's3cret' });
    expect(c.intervalMs).toBe(15_000);
    expect(c.slos).toEqual([
      {
        name: 'p99',
        model: 'fraud',
        kind: 'latency',
        objective: 0.99,
        latencyThresholdMs: 50,
        periodMs: 7 * 86_400_000,
      },
      { name: 'errs', model: 'fraud', version: '3', kind: 'errors', objective: 0.999 },
    ]);
    expect(c.alerts[0]).toMatchObject({
      name: 'fast-burn',
      forMs: 120_000,
      severity: 'critical',
      windowMs: 300_000,
    });
    expect(c.alerts[1]).toMatchObject({ windowMs: 3_600_000, severity: 'warning' });
    expect(c.channels).toEqual([
      {
        name: 'ops',
        type: 'webhook',
        url: 'http://hooks.example/slipway',
        secret: 's3cret',
        timeoutMs: 2000,
      },
      { name: 'log', type: 'log' },
    ]);
    expect(c.retry).toEqual({ initialDelayMs: 250, maxAttempts: 5 });
    expect(c.skew).toEqual({ enabled: true, windowMs: 7_200_000, everyMs: 600_000 });
    expect(c.performance).toEqual([
      { model: 'fraud', prediction: 'out_score', task: 'binary', windowMs: 86_400_000, everyMs: 300_000 },
    ]);
  });

  it('leaves skew to the server (on with an inference log) when the file does not say', () => {
    expect(parse('interval: 1m\n').skew).toBeUndefined();
    expect(parse('skew: false\n').skew?.enabled).toBe(false);
  });

  it.each([
    [
      'slos:\n  - {name: p, model: m, kind: latency, objective: 0.99, threshold: soon}\n',
      'slos[0].threshold',
    ],
    ['slos:\n  - {name: p, model: m, kind: latency, objective: 0.99}\n', 'slos[0].threshold'],
    ['slos:\n  - {name: p, model: m, kind: latency, objective: 2, threshold: 5ms}\n', 'slos[0].objective'],
    ['slos:\n  - {name: p, model: m, kind: speed, objective: 0.9}\n', 'slos[0].kind'],
    ["alerts:\n  - {name: a, metric: drift.share, comparison: '~', threshold: 1}\n", 'alerts[0].comparison'],
    [
      "alerts:\n  - {name: a, metric: drift.share, comparison: '>', threshold: 1, for: later}\n",
      'alerts[0].for',
    ],
    [
      "alerts:\n  - {name: a, metric: drift.share, comparison: '>', threshold: 1, treshold: 2}\n",
      'alerts[0].treshold',
    ],
    ['channels:\n  - {name: ops, type: webhook, url: ftp://x}\n', 'channels[0].url'],
    ['channels:\n  - {name: ops, type: pager}\n', 'channels[0].type'],
    [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the file's own ${VAR} syntax
      "channels:\n  - {name: ops, type: webhook, url: 'http://x', secret: '${MISSING}'}\n",
      'channels[0].secret',
    ],
    ['intervall: 30s\n', 'intervall'],
    ['skew: {window: 0s}\n', 'skew.window'],
    ['performance: {window: 1h}\n', 'performance.prediction'],
    ['performance:\n  - {prediction: out_y, task: ranking}\n', 'performance[0].task'],
    ['interval: [\n', 'monitoring'],
  ])('refuses %j naming %s', (text, field) => {
    let error: unknown;
    try {
      parse(text);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      details: { field, file: 'monitoring.yaml' },
    });
    expect((error as Error).message).toMatch(/^monitoring\.yaml: /);
  });
});
