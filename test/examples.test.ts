import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/core/config.js';
import { openPlatform, type Platform } from '../src/platform.js';
import { createServer } from '../src/server/app.js';

const run = promisify(execFile);

describe('the README quickstart (examples/quickstart.ts)', () => {
  let home: string;
  let platform: Platform;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    if (!existsSync('dist/index.js'))
      throw new Error('dist/ is missing: run `npm run build` (npm test does) first');
    home = mkdtempSync(join(tmpdir(), 'slipway-example-'));
    platform = await openPlatform(resolveConfig({ home }));
    app = await createServer(platform, { logger: false });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await app?.close();
    await platform?.close();
    rmSync(home, { recursive: true, force: true });
  });

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
