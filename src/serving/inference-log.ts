/**
 * The inference-log hook: a sampled share of requests is handed to a sink (monitoring's inference
 * log) in batches, after the response is on its way. The buffer is bounded: when the sink falls
 * behind, records are dropped and counted, never queued without limit and never blocking serving.
 */
import type { InferenceLogSink, InferenceRecord } from './types.js';

export interface InferenceLogOptions {
  sink: InferenceLogSink;
  /** Share of requests recorded, 0..1 (default 1). */
  sampleRate?: number;
  /** Records held while the sink is busy (default 10,000). */
  maxBuffered?: number;
  onDrop?: (count: number) => void;
  onError?: (err: unknown) => void;
}

export class InferenceLogger {
  private buffer: InferenceRecord[] = [];
  private writing = false;
  private scheduled = false;
  private readonly rate: number;
  private readonly max: number;

  constructor(private readonly opts: InferenceLogOptions) {
    this.rate = opts.sampleRate ?? 1;
    this.max = opts.maxBuffered ?? 10_000;
  }

  /** True when this request should be recorded (decided before building the record). */
  sampled(): boolean {
    return this.rate >= 1 || Math.random() < this.rate;
  }

  record(rec: InferenceRecord): void {
    if (this.buffer.length >= this.max) {
      this.opts.onDrop?.(1);
      return;
    }
    this.buffer.push(rec);
    if (!this.scheduled && !this.writing) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  /** Hands everything buffered to the sink; resolves when the sink has taken it. */
  async flush(): Promise<void> {
    this.scheduled = false;
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.buffer.length > 0) {
        const batch = this.buffer;
        this.buffer = [];
        try {
          await this.opts.sink.write(batch);
        } catch (err) {
          this.opts.onDrop?.(batch.length);
          this.opts.onError?.(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
