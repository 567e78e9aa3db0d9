/** Starts `slipway server` as a child process (the built CLI, as users run it) and waits until ready. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface ServerProcess {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startServer(home: string, extraArgs: string[] = []): Promise<ServerProcess> {
  if (!existsSync('dist/cli/index.js')) throw new Error('dist/ is missing: run `npm run build` first');
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['bin/slipway.js', 'server', '--port', String(port), '--home', home, ...extraArgs],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, SLIPWAY_LOG_LEVEL: 'warn' } },
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not become ready in 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
