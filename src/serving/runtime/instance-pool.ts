/**
 * The worker threads (one ONNX Runtime session each) serving one model version. The batcher asks
 * for an idle instance, runs a batch on it and gets it back when the batch returns.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SlipwayError } from '../../core/errors.js';
import type { ExecutionProvider, SessionOptions } from '../types.js';
import type { RunReply, RunRequest, WireSpec, WireTensor, WorkerInit, WorkerReady } from './protocol.js';

// Built code runs the compiled worker. Tests run the TypeScript source: there the worker registers
// tsx (a dev dependency) before importing the .ts file, as `--import tsx` does not reach workers.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './session-worker.ts' : './session-worker.js', import.meta.url);
const WORKER_SOURCE = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;

export interface LoadedSession {
  provider: ExecutionProvider;
  fallbackReason?: string;
  inputs: WireSpec[];
  outputs: WireSpec[];
}

export interface BatchOutput {
  outputs: WireTensor[];
  computeMicros: number;
}

class Instance {
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (r: BatchOutput) => void; reject: (e: Error) => void }
  >();
  private exited?: Error;
  /** Called once when the worker dies (the pool replaces it). */
  onDeath?: () => void;

  constructor(readonly worker: Worker) {
    worker.on('message', (reply: RunReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve({ outputs: reply.outputs, computeMicros: reply.computeMicros });
      else p.reject(new SlipwayError('INTERNAL_ERROR', `ONNX Runtime failed: ${reply.message}`));
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`session worker exited with code ${code}`)));
  }

  private fail(err: Error): void {
    if (this.exited === undefined) queueMicrotask(() => this.onDeath?.());
    this.exited ??= err;
    for (const p of this.pending.values()) p.reject(new SlipwayError('INTERNAL_ERROR', err.message));
    this.pending.clear();
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  /** Batches sent and not yet answered. */
  get outstanding(): number {
    return this.pending.size;
  }

  /** `transfer`: buffers nobody else holds (a freshly merged batch), moved instead of copied. */
  run(inputs: WireTensor[], outputs?: string[], transfer: ArrayBuffer[] = []): Promise<BatchOutput> {
    if (this.exited) return Promise.reject(new SlipwayError('INTERNAL_ERROR', this.exited.message));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, inputs, outputs } satisfies RunRequest, transfer);
    });
  }
}

function startInstance(init: WorkerInit): Promise<{ instance: Instance; ready: LoadedSession }> {
  const worker = new Worker(FROM_SOURCE ? WORKER_SOURCE : fileURLToPath(WORKER_URL), {
    eval: FROM_SOURCE,
    workerData: init,
    // A worker holds its own copy of the graph; stdout noise from native code goes to the parent.
    stdout: false,
  });
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    worker.once('error', onError);
    worker.once('message', (msg: WorkerReady) => {
      worker.off('error', onError);
      if (msg.kind === 'failed') {
        void worker.terminate();
        reject(
          new SlipwayError(
            'INVALID_PARAMETER_VALUE',
            `ONNX Runtime could not load the model: ${msg.message}`,
          ),
        );
        return;
      }
      const { kind: _kind, ...ready } = msg;
      resolve({ instance: new Instance(worker), ready });
    });
  });
}

/**
 * `count` sessions of one model, each in its own worker thread. Each instance may hold `depth`
 * batches at once: the next batch is already in the worker's queue when the current one ends, so
 * the worker never idles while the main thread is busy answering the previous batch.
 */
export class InstancePool {
  private closed = false;

  private constructor(
    private readonly instances: Instance[],
    readonly session: LoadedSession,
    private readonly depth: number,
    private readonly init: WorkerInit,
  ) {
    for (const inst of instances) this.watch(inst);
  }

  /**
   * A worker that dies (a native crash, out of memory) is replaced by a fresh session, so a pool
   * never shrinks to nothing; its in-flight batches fail with INTERNAL_ERROR.
   */
  private watch(inst: Instance): void {
    inst.onDeath = () => {
      if (this.closed) return;
      startInstance(this.init).then(
        ({ instance }) => {
          if (this.closed) {
            void instance.worker.terminate();
            return;
          }
          const at = this.instances.indexOf(inst);
          if (at >= 0) this.instances[at] = instance;
          this.watch(instance);
        },
        () => {
          // The model loaded before, so this is transient; the next death retries.
        },
      );
    };
  }

  /** Live sessions (a dead one counts until its replacement is up). */
  get liveCount(): number {
    return this.instances.filter((i) => i.alive).length;
  }

  /** Starts the workers; rejects (and stops any started) when the model does not load. */
  static async open(opts: {
    modelBytes: Uint8Array;
    count: number;
    providers: ExecutionProvider[];
    session: SessionOptions;
    /** Batches in flight per instance (default 2). */
    depth?: number;
  }): Promise<InstancePool> {
    const init: WorkerInit = {
      modelBytes: opts.modelBytes,
      providers: opts.providers,
      session: opts.session,
    };
    const started = await Promise.allSettled(
      Array.from({ length: Math.max(1, opts.count) }, () => startInstance(init)),
    );
    const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(ok.map((s) => s.instance.worker.terminate()));
      throw failed.reason;
    }
    return new InstancePool(
      ok.map((s) => s.instance),
      ok[0].ready,
      Math.max(1, opts.depth ?? 2),
      init,
    );
  }

  get size(): number {
    return this.instances.length;
  }

  /** The least busy live instance with room for another batch, or undefined when all are full. */
  acquire(): Instance | undefined {
    let best: Instance | undefined;
    for (const inst of this.instances) {
      if (!inst.alive || inst.outstanding >= this.depth) continue;
      if (!best || inst.outstanding < best.outstanding) best = inst;
    }
    return best;
  }

  /** Kills one worker as a crash would (tests of recovery); resolves once it has exited. */
  async crashOne(): Promise<void> {
    await this.instances[0]?.worker.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.instances.map((i) => i.worker.terminate()));
  }
}

export type { Instance };
