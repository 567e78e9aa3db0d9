/**
 * Messages between the engine (main thread) and a session worker. Tensors cross as plain objects
 * whose typed arrays are structured-cloned (copied); inputs are small next to a model's weights.
 */
import type { ExecutionProvider, SessionOptions, TensorData } from '../types.js';

export interface WireTensor {
  name: string;
  /** ONNX Runtime type name (`float32`, `int64`, `string`, ...). */
  type: string;
  dims: number[];
  data: TensorData;
}

export interface WorkerInit {
  modelBytes: Uint8Array;
  providers: ExecutionProvider[];
  session: SessionOptions;
}

export interface WireSpec {
  name: string;
  type: string;
  /** `-1` for symbolic or unknown dimensions. */
  shape: number[];
}

export type WorkerReady =
  | {
      kind: 'ready';
      provider: ExecutionProvider;
      fallbackReason?: string;
      inputs: WireSpec[];
      outputs: WireSpec[];
    }
  | { kind: 'failed'; message: string };

export interface RunRequest {
  id: number;
  inputs: WireTensor[];
  outputs?: string[];
}

export type RunReply =
  | { id: number; ok: true; outputs: WireTensor[]; computeMicros: number }
  | { id: number; ok: false; message: string };
