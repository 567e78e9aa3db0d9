/**
 * One ONNX Runtime session in a worker thread: `session.run` blocks the thread it runs on, so the
 * engine keeps it off the event loop. The model arrives as bytes (never a path the worker resolves,
 * never code): ONNX Runtime parses the protobuf graph and runs only its built-in kernels.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider } from '../types.js';
import type { RunReply, RunRequest, WireSpec, WireTensor, WorkerInit, WorkerReady } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('session-worker must run in a worker thread');

function specsOf(meta: readonly ort.InferenceSession.ValueMetadata[]): WireSpec[] {
  return meta.map((m) => {
    if (!m.isTensor) return { name: m.name, type: 'unsupported', shape: [] };
    return {
      name: m.name,
      type: m.type,
      shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)),
    };
  });
}

function sessionOptions(
  init: WorkerInit,
  providers: ExecutionProvider[],
): ort.InferenceSession.SessionOptions {
  // ONNX Runtime rejects keys present with an undefined value, so only set ones are passed.
  const set = Object.fromEntries(Object.entries(init.session).filter(([, v]) => v !== undefined));
  return {
    graphOptimizationLevel: 'all',
    ...set,
    executionProviders: providers,
    // Warnings (e.g. initializers listed as inputs by old exporters) would print on every load.
    logSeverityLevel: 3,
  };
}

async function open(init: WorkerInit): Promise<{ session: ort.InferenceSession; ready: WorkerReady }> {
  const wanted = init.providers.filter((p) => p !== 'cpu');
  let fallbackReason: string | undefined;
  for (const provider of wanted) {
    try {
      const session = await ort.InferenceSession.create(
        init.modelBytes,
        sessionOptions(init, [provider, 'cpu']),
      );
      return { session, ready: readyOf(session, provider) };
    } catch (err) {
      fallbackReason = `${provider}: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  const session = await ort.InferenceSession.create(init.modelBytes, sessionOptions(init, ['cpu']));
  return { session, ready: readyOf(session, 'cpu', fallbackReason) };
}

function readyOf(
  session: ort.InferenceSession,
  provider: ExecutionProvider,
  fallbackReason?: string,
): WorkerReady {
  return {
    kind: 'ready',
    provider,
    ...(fallbackReason ? { fallbackReason } : {}),
    inputs: specsOf(session.inputMetadata),
    outputs: specsOf(session.outputMetadata),
  };
}

function toWire(name: string, t: ort.Tensor): WireTensor {
  return { name, type: t.type, dims: [...t.dims], data: t.data as WireTensor['data'] };
}

/** Moves output buffers back when ONNX Runtime allows it; copies them when it does not. */
function post(reply: RunReply): void {
  if (!reply.ok) {
    port?.postMessage(reply);
    return;
  }
  const buffers = reply.outputs.flatMap((t) => (Array.isArray(t.data) ? [] : [t.data.buffer as ArrayBuffer]));
  try {
    port?.postMessage(reply, buffers);
  } catch {
    port?.postMessage(reply);
  }
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  let session: ort.InferenceSession;
  try {
    const opened = await open(init);
    session = opened.session;
    port?.postMessage(opened.ready);
  } catch (err) {
    port?.postMessage({ kind: 'failed', message: (err as Error).message } satisfies WorkerReady);
    return;
  }
  port?.on('message', async (req: RunRequest) => {
    let reply: RunReply;
    try {
      const feeds: Record<string, ort.Tensor> = {};
      for (const t of req.inputs)
        feeds[t.name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
      const start = performance.now();
      const out = req.outputs ? await session.run(feeds, req.outputs) : await session.run(feeds);
      const computeMicros = Math.round((performance.now() - start) * 1000);
      const outputs: WireTensor[] = [];
      for (const name of req.outputs ?? session.outputNames) outputs.push(toWire(name, out[name]));
      reply = { id: req.id, ok: true, outputs, computeMicros };
    } catch (err) {
      reply = { id: req.id, ok: false, message: (err as Error).message };
    }
    post(reply);
  });
}

void main();
