/**
 * Optional LRU cache of responses, keyed by model version + the exact input bytes. Off by default:
 * only worth it for deterministic models that see repeated inputs.
 */
import type { Tensor } from './types.js';

export class ResponseCache {
  private readonly entries = new Map<string, Tensor[]>();

  constructor(private readonly capacity: number) {}

  /** The key of a request's inputs (names, dtypes, shapes and raw bytes). */
  static keyOf(inputs: Tensor[], outputs: string[] | undefined): string {
    let key = outputs ? outputs.join(',') : '*';
    for (const t of inputs) {
      key += `|${t.name}:${t.datatype}:${t.shape.join('x')}:`;
      key += Array.isArray(t.data)
        ? JSON.stringify(t.data)
        : Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('latin1');
    }
    return key;
  }

  get(key: string): Tensor[] | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      // Re-insert: Map iteration order is insertion order, so the first key is the least recent.
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, outputs: Tensor[]): void {
    this.entries.delete(key);
    this.entries.set(key, outputs);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
