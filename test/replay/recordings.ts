/**
 * Loads the recordings of what the stock MLflow 2.17.2 client exchanged with a real MLflow server
 * (`reference/` beside DESIGN.md) into one shape: the request as sent, the response as received.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Expected, parseAnnotated, parsePlain } from './annotated.js';

export type RecordedBody =
  | { kind: 'none' }
  | { kind: 'query'; fields: Expected }
  | { kind: 'json'; value: Expected }
  /** An upload whose bytes were not captured. */
  | { kind: 'upload' };

export type RecordedResponse =
  | { kind: 'json'; value: Expected }
  /** A file download: only its size and content type were captured. */
  | { kind: 'download'; bytes: number; contentType: string };

export interface RecordedCall {
  /** Position in the recording, from 1. */
  n: number;
  /** The client call that made it, e.g. `log_metric`; empty where the recording does not say. */
  op: string;
  method: string;
  path: string;
  body: RecordedBody;
  status: number;
  response: RecordedResponse;
}

export interface Recording {
  file: string;
  calls: RecordedCall[];
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * `$SLIPWAY_REFERENCE_DIR`, else the copy checked in under test/fixtures/mlflow-reference (so a clean
 * clone replays them), else `shared/reference` beside the checkout (the design's original).
 */
export function referenceDir(): string {
  const candidates = [
    process.env.SLIPWAY_REFERENCE_DIR,
    join(ROOT, 'test', 'fixtures', 'mlflow-reference'),
    join(ROOT, '..', 'shared', 'reference'),
  ].filter((d): d is string => Boolean(d));
  const found = candidates.find((d) => existsSync(join(d, 'mlflow-2.17.2-client-calls.json')));
  if (!found) throw new Error(`MLflow reference recordings not found in: ${candidates.join(', ')}`);
  return found;
}

function readEntries(file: string): Record<string, unknown>[] {
  const parsed: unknown = JSON.parse(readFileSync(join(referenceDir(), file), 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${file}: expected a list of calls`);
  return parsed as Record<string, unknown>[];
}

/** The client-calls recording: `{op, method, path, body_kind, body, status, response}`, annotated. */
export function loadClientCalls(file = 'mlflow-2.17.2-client-calls.json'): Recording {
  const calls = readEntries(file).map((e, i): RecordedCall => {
    const body = parseAnnotated(e.body ?? {});
    return {
      n: i + 1,
      op: String(e.op),
      method: String(e.method),
      path: String(e.path),
      body: e.body_kind === 'query' ? { kind: 'query', fields: body } : { kind: 'json', value: body },
      status: Number(e.status),
      response: { kind: 'json', value: parseAnnotated(e.response ?? {}) },
    };
  });
  return { file, calls };
}

const CAPTURED_BYTES = /^<(\d+) bytes(?: ([^>]+))?>$/;

function plainBody(method: string, body: unknown): RecordedBody {
  if (body === null || body === undefined) return { kind: 'none' };
  if (typeof body === 'string' && CAPTURED_BYTES.test(body)) return { kind: 'upload' };
  if (method === 'GET') return { kind: 'query', fields: parsePlain(body) };
  return { kind: 'json', value: parsePlain(body) };
}

function plainResponse(resp: unknown): RecordedResponse {
  const captured = typeof resp === 'string' ? CAPTURED_BYTES.exec(resp) : null;
  if (captured)
    return {
      kind: 'download',
      bytes: Number(captured[1]),
      contentType: captured[2] ?? 'application/octet-stream',
    };
  return { kind: 'json', value: parsePlain(resp ?? {}) };
}

/** The artifact-calls recording: `{method, url, body, status, resp}`, plain JSON. */
export function loadArtifactCalls(file = 'mlflow-2.17.2-client-artifact-calls.json'): Recording {
  const calls = readEntries(file).map(
    (e, i): RecordedCall => ({
      n: i + 1,
      op: '',
      method: String(e.method),
      path: String(e.url),
      body: plainBody(String(e.method), e.body),
      status: Number(e.status),
      response: plainResponse(e.resp),
    }),
  );
  return { file, calls };
}

/** A short name of the endpoint, as failure messages show it: `registered-models/alias GET`. */
export function endpointOf(call: Pick<RecordedCall, 'method' | 'path'>): string {
  const artifact = /^\/api\/2\.0\/mlflow-artifacts\/artifacts(\/.+)?$/.exec(call.path);
  if (artifact) return `mlflow-artifacts/artifacts${artifact[1] ? '/<path>' : ''} ${call.method}`;
  return `${call.path.replace(/^\/(ajax-)?api\/2\.0\/mlflow\//, '')} ${call.method}`;
}
