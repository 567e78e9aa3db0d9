/**
 * (b) What a user would write themselves: node:http, JSON.parse, one ONNX Runtime session per model
 * on the main thread (default session options), one `run` per request.
 *
 *   node --import tsx bench/serving/naive-server.ts PORT MODEL_REPOSITORY
 *
 * Routes: GET /healthz; POST /v1/models/{name}:predict with `{"instances": [[…], …]}` (TF Serving).
 */
import http from 'node:http';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

const [port, repository] = process.argv.slice(2);
const sessions = new Map<string, ort.InferenceSession>();
for (const name of ['mlp', 'logreg']) {
  sessions.set(name, await ort.InferenceSession.create(join(repository, name, '1', 'model.onnx')));
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function predict(session: ort.InferenceSession, raw: string): Promise<number[][]> {
  const { instances } = JSON.parse(raw) as { instances: number[][] };
  const width = instances[0].length;
  const x = new Float32Array(instances.length * width);
  for (let i = 0; i < instances.length; i++) x.set(instances[i], i * width);
  const out = await session.run({
    [session.inputNames[0]]: new ort.Tensor('float32', x, [instances.length, width]),
  });
  const y = out[session.outputNames[0]];
  const data = y.data as Float32Array;
  const cols = y.dims[1];
  const predictions: number[][] = [];
  for (let i = 0; i < data.length; i += cols) predictions.push(Array.from(data.subarray(i, i + cols)));
  return predictions;
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, { status: 'ok' });
  const m = /^\/v1\/models\/([^/:]+):predict$/.exec(req.url ?? '');
  const session = m && req.method === 'POST' ? sessions.get(m[1]) : undefined;
  if (!session) return send(res, 404, { error: `no route ${req.method} ${req.url}` });
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    predict(session, Buffer.concat(chunks).toString('utf8')).then(
      (predictions) => send(res, 200, { predictions }),
      (err: unknown) => send(res, 400, { error: String(err) }),
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1');
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
