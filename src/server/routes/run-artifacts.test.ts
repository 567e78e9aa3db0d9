import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../../test/helpers/control-plane.js';
import type { Platform } from '../../platform.js';
import { contentTypeOf } from '../artifact-transfer.js';

const MAX_UPLOAD = 1024;

/** A request sent as written: no client-side `..` resolution, optionally only the headers. */
function rawRequest(
  port: number,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    // Without a body the request stays open: the server must answer from the headers alone.
    if (opts.body !== undefined) req.end(opts.body);
    else req.flushHeaders();
  });
}

describe('native API: run artifacts', () => {
  let platform: Platform;
  let app: FastifyInstance;
  let close: (() => Promise<void>) | undefined;
  let port: number;
  let runId: string;
  let base: string;

  beforeAll(async () => {
    ({ platform, app, close } = await startControlPlane({
      config: { maxUploadBytes: MAX_UPLOAD },
      listen: true,
    }));
    port = (app.server.address() as AddressInfo).port;
    runId = (await platform.tracking.createRun()).info.runId;
    base = `/api/v1/runs/${runId}/artifacts`;
  });
  afterAll(() => close?.());

  const put = (path: string, payload: string | Buffer, contentType = 'application/octet-stream') =>
    app.inject({ method: 'PUT', url: `${base}/${path}`, payload, headers: { 'content-type': contentType } });

  it('uploads, lists and downloads a folder of artifacts', async () => {
    expect((await put('model/MLmodel', 'flavors: {}\n')).json()).toEqual({ size: 12 });
    expect((await put('model/weights.bin', Buffer.from([0, 1, 2, 255]))).statusCode).toBe(201);
    const root = await app.inject(`${base}`);
    expect(root.json()).toEqual({ files: [{ path: 'model', isDir: true }] });
    const folder = await app.inject(`${base}?path=model`);
    expect(folder.json().files).toEqual([
      { path: 'MLmodel', isDir: false, fileSize: 12 },
      { path: 'weights.bin', isDir: false, fileSize: 4 },
    ]);
    const file = await app.inject(`${base}/model/weights.bin`);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(file.headers['content-type']).toBe('application/octet-stream');
    expect((await app.inject(`${base}/model/MLmodel`)).headers['content-type']).toMatch(/^text\/yaml/);
  });

  it('stores a JSON upload as bytes rather than parsing it', async () => {
    const res = await put('metrics.json', '{"auc": 0.9', 'application/json');
    expect(res.statusCode).toBe(201);
    const file = await app.inject(`${base}/metrics.json`);
    expect(file.body).toBe('{"auc": 0.9');
    expect(file.headers['content-type']).toBe('application/json');
  });

  it('accepts an upload without a Content-Type', async () => {
    const res = await app.inject({ method: 'PUT', url: `${base}/notes.txt`, payload: 'hi' });
    expect(res.statusCode).toBe(201);
    expect((await app.inject(`${base}/notes.txt`)).body).toBe('hi');
  });

  it('keeps JSON parsing for the other routes', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/runs/${runId}/params`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ key: 'lr', value: '0.1' }),
    });
    expect(res.statusCode).toBe(204);
  });

  it('returns 404 when the artifact does not exist', async () => {
    const res = await app.inject(`${base}/missing.txt`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('returns 404 when the run does not exist', async () => {
    const res = await app.inject({ method: 'PUT', url: '/api/v1/runs/nope/artifacts/a.txt', payload: 'x' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it.each([
    ['a .. segment', '../../../etc/passwd'],
    ['an encoded .. segment', '%2e%2e/%2e%2e/secret'],
    ['a double-encoded .. segment', '%252e%252e/secret'],
    ['an encoded slash', '..%2f..%2fsecret'],
    ['an absolute path', '/etc/passwd'],
    ['a NUL byte', 'a%00.txt'],
  ])('returns 400 for a path with %s', async (_name, path) => {
    for (const method of ['GET', 'PUT']) {
      const res = await rawRequest(port, method, `${base}/${path}`, { body: method === 'PUT' ? 'x' : '' });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe('INVALID_PARAMETER_VALUE');
    }
  });

  it('returns 400 for a listing path that climbs out of the run', async () => {
    const res = await app.inject(`${base}?path=${encodeURIComponent('../..')}`);
    expect(res.statusCode).toBe(400);
  });

  it('returns 413 from the Content-Length alone, before reading the body', async () => {
    const res = await rawRequest(port, 'PUT', `${base}/big.bin`, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(MAX_UPLOAD * 1000) },
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('returns 413 for a streamed body over the limit', async () => {
    const res = await rawRequest(port, 'PUT', `${base}/big.bin`, {
      headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
      body: 'x'.repeat(MAX_UPLOAD + 1),
    });
    expect(res.status).toBe(413);
    expect((await platform.artifacts.list(runId)).map((f) => f.path)).not.toContain('big.bin');
  });

  it('guesses content types from the extension', () => {
    expect(contentTypeOf('a/b/report.CSV')).toBe('text/csv; charset=utf-8');
    expect(contentTypeOf('model/MLmodel')).toBe('text/yaml; charset=utf-8');
    expect(contentTypeOf('page.html')).toBe('application/octet-stream');
    expect(contentTypeOf('.json')).toBe('application/octet-stream');
  });
});
