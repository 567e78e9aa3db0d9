/**
 * Runs `slipway <args>` in this process (no build, no child process) with an io that captures
 * what it prints; resolves to stdout, stderr and the exit code `main` set (undefined: success).
 */
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';

/**
 * @example const { out, exitCode } = await runCli(['monitor', 'alerts', '--tracking-uri', url], home);
 */
export async function runCli(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ out: string; err: string; exitCode: number | string | undefined }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    env,
    cwd,
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    onShutdown: () => {},
  };
  process.exitCode = undefined;
  await main(['node', 'slipway', ...args], io);
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return { out, err, exitCode };
}
