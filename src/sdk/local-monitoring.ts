/**
 * `client.monitoring` in-process: the same functions the server's routes call
 * (monitoring/late-arrivals.ts, monitoring/window-reports.ts) over the platform's stores and the
 * inference log folder the client was opened with. Inputs and answers go through JSON on the way,
 * as they would over HTTP, so both clients take and give exactly the same values (a Date becomes
 * its ISO string, a NaN null) and refuse the same input with the same error.
 */
import { invalidParameter } from '../core/errors.js';
import { acceptEvents, acceptLabels } from '../monitoring/late-arrivals.js';
import { businessOverWindow, driftOverWindow, performanceOverWindow } from '../monitoring/window-reports.js';
import type { Platform } from '../platform.js';
import type { MonitoringApi } from './types.js';

/** What a value looks like after a trip through JSON (the request body or the reply of a server). */
function overJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** `req` as a JSON object with non-empty string `fields`; throws naming the first that is not. */
function checkRequest<T>(req: T, fields: string[]): T {
  if (typeof req !== 'object' || req === null || Array.isArray(req))
    throw invalidParameter('request', 'an object', req);
  const query = req as Record<string, unknown>;
  for (const f of fields) {
    if (typeof query[f] !== 'string' || query[f] === '')
      throw invalidParameter(f, 'a non-empty string', query[f]);
  }
  return overJson(req);
}

/**
 * The monitoring calls of a LocalClient; `inferenceLogDir` is the log request ids are checked
 * against and reports are read from.
 *
 * @example
 * const monitoring = localMonitoring(platform, './inference-log');
 * await monitoring.logLabels('fraud', [{ requestId: 'r1', value: 1 }]);
 */
export function localMonitoring(platform: Platform, inferenceLogDir: string | undefined): MonitoringApi {
  const log = { inferenceLogDir };
  const requireLog = (): string => {
    if (!inferenceLogDir)
      throw invalidParameter(
        'inference-log',
        'a client opened with Slipway.open({ inferenceLogDir })',
        'a client without an inference log',
      );
    return inferenceLogDir;
  };
  return {
    logLabels: (model, labels) => acceptLabels(platform.labels, overJson({ model, labels }), log),
    logEvents: (model, events) => acceptEvents(platform.events, overJson({ model, events }), log),
    performance: async (req) => {
      const q = checkRequest(req, ['model', 'prediction']);
      return overJson(await performanceOverWindow(platform, requireLog(), q));
    },
    business: async (req) =>
      overJson(await businessOverWindow(platform.events, requireLog(), checkRequest(req, ['model']))),
    driftReport: async (req) =>
      overJson(await driftOverWindow(platform, requireLog(), checkRequest(req, ['model']))),
  };
}
