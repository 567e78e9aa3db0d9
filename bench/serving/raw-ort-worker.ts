/**
 * One ONNX Runtime session in a worker thread for the raw-ORT ceiling (raw-ort.ts): a single
 * intra-op thread per session, so N workers use N cores without oversubscribing them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

interface Job {
  id: number;
  data: Float32Array;
  rows: number;
}

const { modelPath, input, output, width } = workerData as {
  modelPath: string;
  input: string;
  output: string;
  width: number;
};
const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
});
const port = parentPort;
if (!port) throw new Error('raw-ort-worker must run in a worker thread');
port.on('message', async (job: Job) => {
  const out = await session.run({ [input]: new ort.Tensor('float32', job.data, [job.rows, width]) });
  port.postMessage({ id: job.id, data: out[output].data });
});
port.postMessage({ ready: true });
