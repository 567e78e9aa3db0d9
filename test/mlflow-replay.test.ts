/**
 * Replays, in order, every request the stock MLflow 2.17.2 client sent a real MLflow server
 * (`reference/mlflow-2.17.2-*.json`) against a real Slipway server, and checks that each answer
 * has MLflow's wire shape: same status, every recorded field present with the same JSON type, and
 * the same value wherever the value is not volatile (times) once recorded ids are mapped to ours.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  postJson,
  type ReplayServer,
  send,
  startServer,
  type WireRequest,
  wireRequest,
} from './replay/client.js';
import { match } from './replay/match.js';
import {
  endpointOf,
  loadArtifactCalls,
  loadClientCalls,
  type RecordedCall,
  type Recording,
} from './replay/recordings.js';
import { IdMap } from './replay/substitution.js';
import { Uploads } from './replay/uploads.js';

interface Replay {
  recording: Recording;
  /** State the recorded MLflow server already had before the first recorded call. */
  preconditions(server: ReplayServer): Promise<void>;
}

const REPLAYS: Replay[] = [
  { recording: loadClientCalls(), preconditions: async () => {} },
  {
    recording: loadArtifactCalls(),
    // The recording starts with `get-by-name art` answering 200, `registered-models/create artmodel`
    // answering RESOURCE_ALREADY_EXISTS and the next model version being "2". An unrelated experiment
    // first gives `art` another id than MLflow's "1", so ids in URLs and paths must be mapped.
    preconditions: async ({ baseUrl }) => {
      await postJson(baseUrl, '/api/2.0/mlflow/experiments/create', { name: 'unrelated' });
      await postJson(baseUrl, '/api/2.0/mlflow/experiments/create', { name: 'art' });
      await postJson(baseUrl, '/api/2.0/mlflow/registered-models/create', { name: 'artmodel' });
      await postJson(baseUrl, '/api/2.0/mlflow/model-versions/create', {
        name: 'artmodel',
        source: 's3://preexisting/artmodel/1',
      });
    },
  },
];

/** Fields we emit that MLflow's recorded responses lack, by endpoint. */
const extraFields = new Map<string, Set<string>>();

afterAll(() => {
  const lines = [...extraFields]
    .filter(([, fields]) => fields.size > 0)
    .map(([endpoint, fields]) => `  ${endpoint}: ${[...fields].sort().join(', ')}`);
  console.info(
    lines.length > 0
      ? `Fields Slipway emits beyond MLflow's recorded responses:\n${lines.join('\n')}`
      : "Slipway emits no fields beyond MLflow's recorded responses",
  );
});

const preview = (bytes: Buffer) => JSON.stringify(bytes.toString('utf8').slice(0, 300));

function titleOf(call: RecordedCall): string {
  return `#${call.n} ${[call.op, endpointOf(call)].filter(Boolean).join(' — ')}`;
}

/** Every difference between our answer to `call` and MLflow's, as `<where>: <what>` lines. */
async function replay(call: RecordedCall, server: ReplayServer, ids: IdMap, uploads: Uploads) {
  let request: WireRequest;
  try {
    request = wireRequest(call, ids, uploads);
  } catch (err) {
    return [`request: ${err instanceof Error ? err.message : String(err)}`];
  }
  const res = await send(server.baseUrl, request);
  if (res.status !== call.status)
    return [`status: expected ${call.status}, got ${res.status} with body ${preview(res.bytes)}`];

  if (call.response.kind === 'download') {
    const uploaded = uploads.uploaded(call.path);
    const problems: string[] = [];
    if (!res.contentType.startsWith(call.response.contentType))
      problems.push(`content-type: expected ${call.response.contentType}, got "${res.contentType}"`);
    if (!uploaded) problems.push('body: nothing was uploaded to this path earlier in the recording');
    else if (!res.bytes.equals(uploaded.bytes))
      problems.push(`body: expected the ${uploaded.bytes.length} uploaded bytes, got ${preview(res.bytes)}`);
    return problems;
  }

  if (res.json === undefined)
    return [`response: expected a JSON body, got "${res.contentType}" ${preview(res.bytes)}`];
  ids.learn(call.response.value, res.json);
  const result = match(call.response.value, res.json, ids);
  const endpoint = endpointOf(call);
  const seen = extraFields.get(endpoint) ?? new Set<string>();
  for (const extra of result.extras) seen.add(extra);
  extraFields.set(endpoint, seen);
  return result.mismatches;
}

for (const backend of ['sqlite', 'postgres'] as const)
  for (const { recording, preconditions } of REPLAYS) {
    describe.sequential(`replaying ${recording.file} against Slipway on ${backend}`, () => {
      let server: ReplayServer;
      const ids = new IdMap();
      const uploads = new Uploads(recording.calls);

      beforeAll(async () => {
        server = await startServer(backend);
        await preconditions(server);
      });
      afterAll(async () => {
        await server?.close();
      });

      for (const call of recording.calls) {
        it(`${titleOf(call)} answers as MLflow did`, async () => {
          const problems = await replay(call, server, ids, uploads);
          if (problems.length > 0) {
            const where = [call.op, endpointOf(call)].filter(Boolean).join(' ');
            throw new Error(problems.map((p) => `${where}: ${p}`).join('\n'));
          }
        });
      }
    });
  }
