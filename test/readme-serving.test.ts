/**
 * Runs the README's serving curl block exactly as written (only `localhost:8501` is pointed at a
 * test server), so the copy-paste examples cannot rot.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServingServer } from '../src/server/serving-app.js';
import { type Engine, openInferenceEngine } from '../src/serving/engine.js';

const run = promisify(execFile);

function curlBlock(): string {
  const readme = readFileSync('README.md', 'utf8');
  const at = readme.indexOf('<!-- serving-curl -->');
  const block = /```bash\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || !block) throw new Error('README has no <!-- serving-curl --> block');
  return block[1];
}

describe('the README serving examples', () => {
  let root: string;
  let engine: Engine;
  let close: () => Promise<void>;
  let port: number;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'slipway-readme-'));
    mkdirSync(join(root, 'mymodel', '1'), { recursive: true });
    cpSync('test/fixtures/serving/repository/mymodel/1/model.onnx', join(root, 'mymodel', '1', 'model.onnx'));
    engine = await openInferenceEngine({ repository: root, defaults: { instanceCount: 1 } });
    const app = await createServingServer(engine, { logger: false, overload: { maxEventLoopDelay: 0 } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
    close = () => app.close();
  });
  afterAll(async () => {
    await close?.();
    await engine?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers every protocol as the README shows', async () => {
    const script = `set -euo pipefail\n${curlBlock().replaceAll('localhost:8501', `127.0.0.1:${port}`)}`;
    const { stdout } = await run('bash', ['-c', script]);
    const out = stdout.split('\n').join('');
    expect(out).toContain('{"predictions":[[14.5]]}');
    expect(out).toContain('{"outputs":[[14.5],[0.5]]}');
    expect(out).toContain('"state":"AVAILABLE"');
    expect(out).toContain('"signature_def"');
    expect(out).toContain('{"ready":true}');
    expect(out).toContain('"model_name":"mymodel","model_version":"1","id":"r1"');
    expect(out.match(/"data":\[14\.5\]/g)).toHaveLength(2); // JSON and binary-input requests
    expect(out).toContain('[[14.5]]');
    expect(out).toContain('"name":"mymodel","version":"1","state":"READY"');
    expect(out).toMatch(/slipway_inference_request_success_total\{model="mymodel",version="1"\} [5-9]/);
  });
});
