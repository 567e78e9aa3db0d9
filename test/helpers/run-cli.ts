/**
 * Runs `slipway <args>` in this process (no build, no child process) with an io that captures
 * what it prints; resolves to stdout, stderr, the exit code `main` set (undefined: success) and the
 * shutdown handler a long-running command (`serve`, `server`) registered to close what it opened.
 */
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';

/** What one in-process `slipway` run printed and left behind. */
export interface CliRun {
  out: string;
  err: string;
  exitCode: number | string | undefined;
  /** Stops what the command left running (a server); undefined when it registered nothing. */
  stop: (() => Promise<void>) | undefined;
}

/**
 * @example const { out, exitCode } = await runCli(['monitor', 'alerts', '--tracking-uri', url], home);
 * @example const { out, stop } = await runCli(['serve', '--port', '0', '--model-repository', dir], home);
 */
export async function runCli(
  args: string[],
  cwd: string = process.cwd(),
  env: Record<string, string> = {},
): Promise<CliRun> {
  let out = '';
  let err = '';
  let stop: CliRun['stop'];
  const io: CliIo = {
    env,
    cwd,
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    onShutdown: (handler) => {
      stop = handler;
    },
  };
  process.exitCode = undefined;
  await main(['node', 'slipway', ...args], io);
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return { out, err, exitCode, stop };
}
