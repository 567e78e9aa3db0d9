import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queryInferenceLog } from './query.js';
import { sweepInferenceLog } from './retention.js';

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

// A writer process logging one large segment (200k rows × 64 features): killed while DuckDB writes.
const WRITER = `
import { openParquetInferenceLog } from './src/monitoring/inference-log/index.ts';
const dir = process.argv[1];
const log = await openParquetInferenceLog({ dir, replicaId: 'doomed', flushRows: 1_000_000 });
const n = 200_000;
const data = Float32Array.from({ length: n * 64 }, (_, k) => Math.sin(k));
log.write([{ id: 'big', model: 'mlp', version: '1', timestamp: Date.now(), latencyMicros: 1,
  inputs: [{ name: 'x', datatype: 'FP32', shape: [n, 64], data }], outputs: [] }]);
await log.flush();
console.log('finished');
`;

describe('segment writes', () => {
  it('never show a half-written segment: a writer killed mid-write leaves only a .partial file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-inference-crash-'));
    tmp.push(dir);
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', WRITER, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (b) => {
      output += b;
    });
    const exited = new Promise((r) => child.on('exit', r));
    // Kill it as soon as DuckDB has started the file.
    let sawPartial = false;
    while (child.exitCode === null) {
      if (filesUnder(dir).some((f) => f.endsWith('.partial'))) {
        sawPartial = true;
        child.kill('SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await exited;
    expect(output).not.toContain('finished');
    expect(sawPartial).toBe(true);

    const left = filesUnder(dir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^doomed-\d{13}-0\.parquet\.partial$/);
    const q = await queryInferenceLog({ dir, model: 'mlp' });
    expect(await q.count()).toBe(0);
    q.close();

    // A sweep removes the leftover once it is clearly abandoned (an hour old).
    await sweepInferenceLog(dir, {}, Date.now() + 2 * 3_600_000);
    expect(filesUnder(dir)).toEqual([]);
  });
});
