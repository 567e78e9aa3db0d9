/**
 * The `slipway` command line. It parses flags and calls the public API; this file is the only one
 * that touches `process` (arguments, environment, streams, signals, exit codes).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerDatasetsCommand } from './datasets-command.js';
import { registerExperimentsCommand } from './experiments-command.js';
import { registerFeaturesCommand } from './features-command.js';
import { type CliIo, messageOf } from './io.js';
import { registerModelsCommand } from './models-command.js';
import { registerMonitorCommand } from './monitor-command.js';
import { registerRunsCommand } from './runs-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerServerCommand } from './server-command.js';

/** The package version; this file sits two folders below package.json in both src/ and dist/. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}

/** The real process: its environment and streams, and exit on the first SIGINT or SIGTERM. */
function processIo(): CliIo {
  return {
    env: process.env,
    cwd: process.cwd(),
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTTY: process.stderr.isTTY === true,
    onShutdown(handler) {
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        handler().then(
          () => process.exit(0),
          (err: unknown) => {
            process.stderr.write(`error: while stopping on ${signal}: ${messageOf(err)}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
  };
}

/** Builds the `slipway` program over `io` (exposed so tests can run commands in-process). */
export function buildProgram(io: CliIo): Command {
  const program = new Command('slipway')
    .description('Slipway: one platform for the ML lifecycle (MLflow-compatible tracking and registry)')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  registerServerCommand(program, io);
  registerServeCommand(program, io);
  registerFeaturesCommand(program, io);
  registerExperimentsCommand(program, io);
  registerRunsCommand(program, io);
  registerModelsCommand(program, io);
  registerDatasetsCommand(program, io);
  registerMonitorCommand(program, io);
  return program;
}

/**
 * Runs the CLI on `argv` (as in `process.argv`: node, script, then arguments). Failures print
 * `error: <message>` on stderr and set exit code 1; usage errors are printed by commander.
 *
 * @example
 * await main(['node', 'slipway', 'experiments', 'list', '--tracking-uri', 'http://127.0.0.1:5000']);
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<void> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed the message or the help text.
      process.exitCode = err.exitCode;
      return;
    }
    io.err(`error: ${messageOf(err)}\n`);
    process.exitCode = 1;
  }
}
