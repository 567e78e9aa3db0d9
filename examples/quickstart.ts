/**
 * The README's TypeScript quickstart, runnable: start `npx slipway server`, then
 * `npx tsx examples/quickstart.ts` (SLIPWAY_TRACKING_URI picks another server).
 */
import { readFileSync } from 'node:fs';
import { Slipway } from 'slipway';

const sw = Slipway.connect(process.env.SLIPWAY_TRACKING_URI ?? 'http://127.0.0.1:5000');
const exp = await sw.experiments.create({ name: `churn-${Date.now()}` });
const run = await sw.runs.create({
  experimentId: exp.experimentId,
  runName: 'xgb-1',
  tags: [{ key: 'team', value: 'growth' }],
});
await sw.runs.logBatch(run.info.runId, {
  params: [{ key: 'lr', value: '0.01' }],
  metrics: [{ key: 'auc', value: 0.91, timestamp: Date.now(), step: 0 }],
});
await sw.runs.logMetric(run.info.runId, 'auc', 0.93, { step: 1 });
await sw.runs.uploadArtifact(run.info.runId, 'model/model.onnx', readFileSync('test/fixtures/models/logreg.onnx'));
await sw.runs.end(run.info.runId);

const found = await sw.runs.search({
  experimentIds: [exp.experimentId],
  filter: 'metrics.auc > 0.9',
  orderBy: ['metrics.auc DESC'],
});
const name = `churn-${run.info.runId.slice(0, 8)}`;
await sw.models.create({ name });
const v = await sw.models.createVersion({ name, source: `runs:/${run.info.runId}/model`, runId: run.info.runId });
await sw.models.setAlias(name, 'champion', v.version);
const champion = await sw.models.resolve(`${name}@champion`);

console.log(JSON.stringify({ runs: found.items.length, version: champion.version, lineage: champion.lineage }));
await sw.close();
