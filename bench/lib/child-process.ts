/**
 * Starts a server as its own child process and waits for an HTTP readiness probe, so that the server
 * under test never shares an event loop (or a core's time slice, more than it must) with the load
 * generator in the bench process.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface ChildServer {
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export interface ChildServerOptions {
  /** argv after `node` (the script and its flags). */
  args: string[];
  port: number;
  /** GET path that answers 2xx once the server can take load. */
  readyPath: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}

/** Runs `node ARGS` and resolves once `readyPath` answers 2xx; throws if it exits first or times out. */
export async function startChildServer(opts: ChildServerOptions): Promise<ChildServer> {
  const child = spawn(process.execPath, opts.args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...opts.env },
  });
  let stopping = false;
  // A server that dies mid-benchmark shows up only as connection errors; say when and how it went.
  child.once('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`${opts.args.join(' ')} exited unexpectedly (code ${code}, signal ${signal})\n`);
    }
  });
  const server: ChildServer = {
    port: opts.port,
    child,
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${opts.args.join(' ')} exited (${child.exitCode ?? child.signalCode}) before it was ready`,
      );
    }
    try {
      const r = await fetch(`http://127.0.0.1:${opts.port}${opts.readyPath}`);
      if (r.ok) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${opts.args.join(' ')} was not ready within ${(opts.timeoutMs ?? 60_000) / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, then SIGKILL if the child has not gone after 10 s (a hung server must not hang the bench). */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
