/** The `--inference-log*` flags `slipway serve` and `slipway server` share, parsed as they are read. */
import type { Command } from 'commander';
import { checkSampleRate, parseRetention } from '../monitoring/inference-log/index.js';

/**
 * Adds `--inference-log DIR` (described by `dirHelp`), `--inference-log-sample-rate` and
 * `--inference-log-retention` to `cmd`.
 *
 * @example addInferenceLogOptions(program.command('serve'), 'record served requests here').action(run);
 */
export function addInferenceLogOptions(cmd: Command, dirHelp: string): Command {
  return cmd
    .option('--inference-log <dir>', dirHelp)
    .option('--inference-log-sample-rate <r>', 'share of requests recorded, 0..1 (default 1)', (v: string) =>
      checkSampleRate(v, '--inference-log-sample-rate'),
    )
    .option(
      '--inference-log-retention <policy>',
      "delete segments older than an age ('7d') and/or beyond a size per model ('10GiB', '7d,10GiB')",
      (v: string) => parseRetention(v),
    );
}
