/**
 * Running the README's copy-paste blocks as tests: find a ```bash block by its `<!-- marker -->`,
 * point it at this checkout (substitutions that fail loudly when the README changes shape), and run
 * it with bash in a temp folder, as a user with no Slipway settings would.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'bin', 'slipway.js');

/** The ```bash block that follows `<!-- marker` in README.md. */
export function readmeBlock(marker: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`<!-- ${marker}`);
  const block = /```bash\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || !block) throw new Error(`README has no <!-- ${marker} --> block`);
  return block[1];
}

/** Replaces every match of `pattern` (global), failing when there is none: the README changed shape. */
export function substitute(text: string, pattern: RegExp, by: string): string {
  if (!pattern.test(text)) throw new Error(`README block has no ${pattern}: update this test`);
  pattern.lastIndex = 0;
  return text.replace(pattern, by);
}

/**
 * A README script pointed at this checkout's CLI (`npx slipway` → bin/slipway.js) and at free ports
 * (`--port` added to each `server`/`serve` started with `&`, `localhost:5000`/`:8501` rewritten),
 * stopping its background servers however it ends.
 */
export function pointAtTestServers(script: string, ports: { server: number; serve: number }): string {
  let s = substitute(script, /\bnpx slipway\b/g, `node ${CLI}`);
  s = substitute(s, /(slipway\.js server [^\n&#]*?) &/g, `$1 --port ${ports.server} &`);
  s = substitute(s, /(slipway\.js serve [^\n&#]*?) &/g, `$1 --port ${ports.serve} &`);
  s = substitute(s, /localhost:5000\b/g, `localhost:${ports.server}`);
  s = substitute(s, /localhost:8501\b/g, `localhost:${ports.serve}`);
  return `set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT\n${s}`;
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `script` with bash in `cwd`, in its own process group (killed whole after `timeoutMs`). */
export function runScript(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment of a user with no Slipway settings, whose home is `dir`. */
export function cleanEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SLIPWAY_')) env[k] = v;
  return { ...env, HOME: dir };
}

/** The JSON answer on the line of `out` that starts with `prefix`. */
export function jsonLine<T>(out: string, prefix: string): T {
  const line = out.split('\n').find((l) => l.startsWith(prefix));
  if (!line) throw new Error(`no line starting with ${prefix} in:\n${out}`);
  return JSON.parse(line) as T;
}

/** Fails early when dist/ (which bin/slipway.js runs) has not been built. */
export function requireBuiltCli(): void {
  try {
    readFileSync(join(ROOT, 'dist', 'cli', 'index.js'));
  } catch {
    throw new Error('dist/ is missing: run `npm run build` first (`npm test` builds before running vitest)');
  }
}
