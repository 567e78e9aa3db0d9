/** `npm run bench -- NAME [ARGS]`: runs one benchmark, prints its table, writes JSON under bench/results/. */
const BENCHMARKS: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  tracking: () => import('./tracking.js'),
  serving: () => import('./serving.js'),
  features: () => import('./features.js'),
  monitoring: () => import('./monitoring.js'),
};

const name = process.argv[2];
if (!name || !BENCHMARKS[name]) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}>`);
  process.exit(2);
}
const mod = await BENCHMARKS[name]();
await mod.run(process.argv.slice(3));
