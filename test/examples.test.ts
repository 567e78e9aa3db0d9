import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from './helpers/control-plane.js';

const run = promisify(execFile);

describe('the README quickstart (examples/quickstart.ts)', () => {
  let url: string;
  let close: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (!existsSync('dist/index.js'))
      throw new Error('dist/ is missing: run `npm run build` (npm test does) first');
    ({ url, close } = await startControlPlane({ listen: true }));
  });

  afterAll(() => close?.());

  it('runs as written against a live server and registers a champion with full lineage', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/quickstart.ts'], {
      env: { ...process.env, SLIPWAY_TRACKING_URI: url },
    });
    const out = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(out.runs).toBe(1);
    expect(out.version).toBe('1');
    expect(out.lineage.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(out.lineage.signature.inputs[0]).toEqual({ name: 'input', dtype: 'float32', shape: [-1, 20] });
    // The SDK tags new runs with the checkout's commit, so the version's lineage names the code.
    const head = (await run('git', ['rev-parse', 'HEAD'])).stdout.trim();
    expect(out.lineage.codeVersion.gitCommit).toBe(head);
    expect(out.lineage.artifactUri).toMatch(/^mlflow-artifacts:\/\d+\/[0-9a-f]{32}\/artifacts\/model$/);
  });
});
