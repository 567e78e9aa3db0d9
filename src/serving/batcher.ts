/**
 * Dynamic batching for one model version. Requests wait in a bounded queue; whenever a session
 * instance is idle, the queue head is merged along the batch dimension (up to `max_batch_size`
 * rows), run as one tensor, and the outputs are split back per request in order. With no delay
 * configured, a request that finds an idle instance runs at once: batches form only while every
 * instance is busy, so batching never adds latency at low load and amortizes it at high load.
 */
import { SlipwayError } from '../core/errors.js';
import type { Instance, InstancePool } from './runtime/instance-pool.js';
import type { WireTensor } from './runtime/protocol.js';
import { allocate, datatypeOfOrt, ortTypeOf } from './tensor.js';
import type { Tensor, TensorData } from './types.js';

export interface BatcherOptions {
  maxBatchSize: number;
  maxQueueDelayMicros: number;
  maxQueueSize: number;
  timeoutMs: number;
  /** Inputs with dynamic dimensions past the batch one: only requests with equal shapes merge. */
  ragged: boolean;
  onBatch?: (rows: number, requests: number, computeMicros: number) => void;
}

/** How a caller withdraws a queued request: an AbortSignal, or a check polled at dispatch. */
export interface Cancellation {
  signal?: AbortSignal;
  isCancelled?: () => boolean;
}

export interface BatchResult {
  outputs: Tensor[];
  queueMicros: number;
  computeMicros: number;
}

interface Pending {
  inputs: Tensor[];
  rows: number;
  outputs: string[] | undefined;
  key: string;
  enqueuedAt: number;
  resolve: (r: BatchResult) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
  signal?: AbortSignal;
  onAbort?: () => void;
  isCancelled?: () => boolean;
  done: boolean;
}

const now = () => performance.now();

export class Batcher {
  private queue: Pending[] = [];
  private running = 0;
  private delayTimer?: NodeJS.Timeout;
  private drainWaiters: Array<() => void> = [];

  constructor(
    private readonly pool: InstancePool,
    private readonly opts: BatcherOptions,
  ) {}

  /** Requests queued, not yet dispatched. */
  get queueDepth(): number {
    return this.queue.length;
  }

  /** Requests queued or computing. */
  get inFlight(): number {
    return this.queue.length + this.running;
  }

  /**
   * Queues one request (inputs already validated, in signature order).
   * Rejects with REQUEST_LIMIT_EXCEEDED when the queue is full, DEADLINE_EXCEEDED past the
   * timeout, CANCELLED when `signal` aborts before dispatch.
   */
  submit(
    inputs: Tensor[],
    rows: number,
    outputs?: string[],
    cancel: Cancellation = {},
  ): Promise<BatchResult> {
    const signal = cancel.signal;
    if (this.queue.length >= this.opts.maxQueueSize) {
      return Promise.reject(
        new SlipwayError(
          'REQUEST_LIMIT_EXCEEDED',
          `Queue full: ${this.queue.length} requests are waiting (max_queue_size)`,
        ),
      );
    }
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise<BatchResult>((resolve, reject) => {
      const p: Pending = {
        inputs,
        rows,
        outputs,
        key: this.opts.ragged ? inputs.map((t) => t.shape.slice(1).join(',')).join(';') : '',
        enqueuedAt: now(),
        resolve,
        reject,
        isCancelled: cancel.isCancelled,
        done: false,
      };
      if (this.opts.timeoutMs > 0) {
        p.timer = setTimeout(() => this.settle(p, deadline(this.opts.timeoutMs)), this.opts.timeoutMs);
      }
      if (signal) {
        p.signal = signal;
        p.onAbort = () => {
          const at = this.queue.indexOf(p);
          if (at >= 0) this.queue.splice(at, 1);
          this.settle(p, cancelled());
          this.checkDrained();
        };
        signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.queue.push(p);
      this.pump();
    });
  }

  /** Resolves once nothing is queued or computing (hot swap waits on this before unloading). */
  drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private settle(p: Pending, outcome: Error | BatchResult): void {
    if (p.done) return;
    p.done = true;
    if (p.timer) clearTimeout(p.timer);
    if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  private pump(): void {
    while (this.queue.length > 0) {
      // Drop requests that timed out or were cancelled while waiting.
      while (this.queue.length > 0 && this.dropped(this.queue[0])) this.queue.shift();
      if (this.queue.length === 0) break;
      if (this.shouldWait()) return;
      const inst = this.pool.acquire();
      if (!inst) return;
      this.dispatch(inst, this.takeBatch());
    }
    this.checkDrained();
  }

  /** With a queue delay set, hold a partial batch until it fills or the oldest request waited long enough. */
  private shouldWait(): boolean {
    const delayMs = this.opts.maxQueueDelayMicros / 1000;
    if (delayMs <= 0 || this.opts.maxBatchSize === 0) return false;
    let rows = 0;
    for (const p of this.queue) rows += p.rows;
    const waited = now() - this.queue[0].enqueuedAt;
    if (rows >= this.opts.maxBatchSize || waited >= delayMs) return false;
    if (!this.delayTimer) {
      this.delayTimer = setTimeout(() => {
        this.delayTimer = undefined;
        this.pump();
      }, delayMs - waited);
    }
    return true;
  }

  private takeBatch(): Pending[] {
    const first = this.queue.shift() as Pending;
    const batch = [first];
    if (this.opts.maxBatchSize === 0) return batch;
    let rows = first.rows;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (this.dropped(next)) {
        this.queue.shift();
        continue;
      }
      if (next.key !== first.key || rows + next.rows > this.opts.maxBatchSize) break;
      rows += next.rows;
      batch.push(this.queue.shift() as Pending);
    }
    return batch;
  }

  private dispatch(inst: Instance, batch: Pending[]): void {
    this.running += batch.length;
    const dispatchedAt = now();
    const totalRows = batch.reduce((n, p) => n + p.rows, 0);
    const outputs = batch.length === 1 ? batch[0].outputs : undefined;
    const inputs = mergeInputs(batch);
    // A merged batch's buffers are fresh copies: move them to the worker. A single request's are
    // still referenced (the inference log, the caller), so they are copied.
    const transfer =
      batch.length > 1
        ? inputs.flatMap((t) => (Array.isArray(t.data) ? [] : [t.data.buffer as ArrayBuffer]))
        : [];
    inst
      .run(inputs, outputs, transfer)
      .then(
        (out) => {
          this.opts.onBatch?.(totalRows, batch.length, out.computeMicros);
          const parts = splitOutputs(out.outputs, batch, totalRows, this.opts.maxBatchSize > 0);
          for (let k = 0; k < batch.length; k++) {
            const p = batch[k];
            const queueMicros = Math.round((dispatchedAt - p.enqueuedAt) * 1000);
            this.settle(p, { outputs: parts[k], queueMicros, computeMicros: out.computeMicros });
          }
        },
        (err: Error) => {
          for (const p of batch) this.settle(p, err);
        },
      )
      .catch((err: Error) => {
        for (const p of batch) this.settle(p, err);
      })
      .finally(() => {
        this.running -= batch.length;
        this.pump();
      });
  }

  /** True (and settled) when a queued request no longer needs computing. */
  private dropped(p: Pending): boolean {
    if (!p.done && p.isCancelled?.()) this.settle(p, cancelled());
    return p.done;
  }

  private checkDrained(): void {
    if (this.inFlight > 0 || this.drainWaiters.length === 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}

function cancelled(): SlipwayError {
  return new SlipwayError('CANCELLED', 'The client went away before the request was computed');
}

function deadline(ms: number): SlipwayError {
  return new SlipwayError('DEADLINE_EXCEEDED', `Request timed out after ${ms} ms (timeout_ms)`);
}

function toWire(t: Tensor): WireTensor {
  return { name: t.name, type: ortTypeOf(t.datatype), dims: t.shape, data: t.data };
}

/** Concatenates each input along dimension 0 (a single request goes as is, no copy). */
function mergeInputs(batch: Pending[]): WireTensor[] {
  if (batch.length === 1) return batch[0].inputs.map(toWire);
  const first = batch[0].inputs;
  return first.map((t, k) => {
    const rows = batch.reduce((n, p) => n + p.inputs[k].shape[0], 0);
    const shape = [rows, ...t.shape.slice(1)];
    if (Array.isArray(t.data)) {
      const data: string[] = [];
      for (const p of batch) data.push(...(p.inputs[k].data as string[]));
      return { name: t.name, type: 'string', dims: shape, data };
    }
    const total = batch.reduce((n, p) => n + p.inputs[k].data.length, 0);
    const data = allocate(t.datatype, total) as Exclude<TensorData, string[]>;
    let off = 0;
    for (const p of batch) {
      const part = p.inputs[k].data as Float32Array;
      (data as Float32Array).set(part, off);
      off += part.length;
    }
    return { name: t.name, type: ortTypeOf(t.datatype), dims: shape, data };
  });
}

function fromWire(w: WireTensor): Tensor {
  const datatype = datatypeOfOrt(w.type);
  if (!datatype)
    throw new SlipwayError('INTERNAL_ERROR', `Output '${w.name}' has unsupported type ${w.type}`);
  return { name: w.name, datatype, shape: w.dims, data: w.data };
}

/** Splits each output along dimension 0 back into the requests' rows; filters requested outputs. */
function splitOutputs(outs: WireTensor[], batch: Pending[], totalRows: number, batched: boolean): Tensor[][] {
  const tensors = outs.map(fromWire);
  if (batch.length === 1) return [select(tensors, batch[0].outputs)];
  for (const t of tensors) {
    if (!batched || t.shape[0] !== totalRows) {
      throw new SlipwayError(
        'INTERNAL_ERROR',
        `Output '${t.name}' has leading dimension ${t.shape[0]}, not the batch size ${totalRows}: set max_batch_size: 0 for this model`,
      );
    }
  }
  const parts: Tensor[][] = batch.map(() => []);
  for (const t of tensors) {
    const rowSize = t.shape.length > 1 ? t.data.length / totalRows : 1;
    let row = 0;
    for (let k = 0; k < batch.length; k++) {
      const rows = batch[k].rows;
      const data = Array.isArray(t.data)
        ? t.data.slice(row * rowSize, (row + rows) * rowSize)
        : (t.data as Float32Array).subarray(row * rowSize, (row + rows) * rowSize);
      parts[k].push({ name: t.name, datatype: t.datatype, shape: [rows, ...t.shape.slice(1)], data });
      row += rows;
    }
  }
  return parts.map((p, k) => select(p, batch[k].outputs));
}

function select(tensors: Tensor[], names: string[] | undefined): Tensor[] {
  if (!names) return tensors;
  return names.map((n) => tensors.find((t) => t.name === n) as Tensor);
}
