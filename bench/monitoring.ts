/**
 * `npm run bench -- monitoring [--only drift-tests|report|serving] [ARGS]`: the monitoring
 * benchmarks of issue 5, each printing its table and writing JSON under bench/results/:
 *   - drift-tests: KS + normed Wasserstein over 1M × 20 columns against a scipy loop (monitoring/drift.ts);
 *   - report: `slipway monitor report` on 10M × 100 current rows vs a 1M-row reference, wall time and
 *     peak RSS against the targets, beside the previous sample-based path (monitoring/report-scale.ts);
 *   - serving: serving throughput with inference logging and profiles on vs off
 *     (monitoring/serving-overhead.ts).
 * ARGS go to the parts run (`--only report --rows 1000000 --columns 20 --reference-rows 100000`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PARTS = ['drift-tests', 'report', 'serving'] as const;
type Part = (typeof PARTS)[number];

async function runPart(part: Part, args: string[]): Promise<void> {
  console.log(`\n== monitoring: ${part} ==`);
  if (part === 'drift-tests') return (await import('./monitoring/drift.js')).run(args);
  if (part === 'report') return (await import('./monitoring/report-scale.js')).run(args);
  // Written by another change; absent until then.
  const serving = new URL('./monitoring/serving-overhead.ts', import.meta.url);
  if (!existsSync(fileURLToPath(serving))) {
    console.log('serving: not built yet');
    return;
  }
  const mod = (await import(serving.href)) as { run(args: string[]): Promise<void> };
  return mod.run(args);
}

export async function run(args: string[]): Promise<void> {
  const i = args.indexOf('--only');
  const only = i >= 0 ? args[i + 1] : undefined;
  if (only !== undefined && !PARTS.includes(only as Part))
    throw new Error(`--only takes one of ${PARTS.join(', ')}, got ${only}`);
  const rest = i >= 0 ? [...args.slice(0, i), ...args.slice(i + 2)] : args;
  for (const part of only ? [only as Part] : PARTS) await runPart(part, rest);
}
