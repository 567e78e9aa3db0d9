/**
 * A real Slipway server on a free port over a fresh home, and the HTTP requests the MLflow client
 * sends it: GET parameters in the query string, every other body as JSON (DELETE included), uploads
 * as raw bytes.
 */
import { startControlPlane } from '../helpers/control-plane.js';
import { createTempPostgresDatabase } from '../helpers/postgres.js';
import type { RecordedCall } from './recordings.js';
import { type IdMap, isRecord, materialize } from './substitution.js';
import type { Upload, Uploads } from './uploads.js';

export interface ReplayServer {
  baseUrl: string;
  close(): Promise<void>;
}

/** A live server over a fresh store: SQLite in a temp home, or a temp PostgreSQL database. */
export async function startServer(backend: 'sqlite' | 'postgres' = 'sqlite'): Promise<ReplayServer> {
  const pg = backend === 'postgres' ? await createTempPostgresDatabase() : undefined;
  const plane = await startControlPlane({ config: { backendStoreUri: pg?.uri }, listen: true });
  return {
    baseUrl: plane.url,
    close: async () => {
      await plane.close();
      await pg?.drop();
    },
  };
}

export interface WireRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  upload?: Upload;
}

export interface WireResponse {
  status: number;
  contentType: string;
  bytes: Buffer;
  /** The parsed body when it is JSON. */
  json?: unknown;
}

/** The recorded call as we send it: recorded ids rewritten to ours, elided parts rebuilt. */
export function wireRequest(call: RecordedCall, ids: IdMap, uploads: Uploads): WireRequest {
  const request: WireRequest = { method: call.method, path: ids.text(call.path) };
  switch (call.body.kind) {
    case 'query': {
      const fields = materialize(call.body.fields, ids);
      if (!isRecord(fields)) throw new Error(`Harness: query of call ${call.n} is not an object`);
      request.query = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
      break;
    }
    case 'json':
      request.json = materialize(call.body.value, ids);
      break;
    case 'upload':
      request.upload = uploads.bodyFor(call.path);
      break;
  }
  return request;
}

export async function send(baseUrl: string, request: WireRequest): Promise<WireResponse> {
  const url = new URL(request.path, baseUrl);
  for (const [k, v] of Object.entries(request.query ?? {})) url.searchParams.append(k, v);
  const headers: Record<string, string> = {};
  let body: RequestInit['body'];
  if (request.upload) {
    headers['content-type'] = request.upload.contentType;
    body = new Uint8Array(request.upload.bytes);
  } else if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  }
  const res = await fetch(url, { method: request.method, headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  const contentType = res.headers.get('content-type') ?? '';
  let json: unknown;
  if (contentType.includes('application/json')) {
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, contentType, bytes, json };
}

/** POSTs a JSON body outside the recording (preconditions), failing on anything but 200. */
export async function postJson(baseUrl: string, path: string, json: unknown): Promise<unknown> {
  const res = await send(baseUrl, { method: 'POST', path, json });
  if (res.status !== 200)
    throw new Error(`Precondition ${path} failed: ${res.status} ${res.bytes.toString('utf8')}`);
  return res.json;
}
