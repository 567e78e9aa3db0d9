/**
 * Ids differ between MLflow's run of the recording and ours. `IdMap` learns recorded → ours from
 * responses as they arrive (experiment ids, run ids, run names) and rewrites later requests and
 * expected values with it; `materialize` turns a recorded request body into one we can send,
 * synthesizing what the recording elided.
 */
import type { Expected } from './annotated.js';

type Json = Record<string, unknown>;

export const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields whose value is an experiment id. Experiment ids ("1") are too short to rewrite inside text. */
const EXPERIMENT_ID_FIELDS = new Set(['experiment_id', 'experiment_ids']);
const RUN_ID_FIELDS = ['run_id', 'run_uuid'];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class IdMap {
  private readonly experiments = new Map<string, string>();
  /** Recorded text → ours, rewritten wherever it stands as a whole word (run ids, run names, URIs). */
  private readonly tokens = new Map<string, string>();
  private readonly artifactUris = new Map<string, string>();
  private pattern: RegExp | undefined;

  /** What a recorded value of field `field` stands for on our server. */
  value(field: string, recorded: string): string {
    if (EXPERIMENT_ID_FIELDS.has(field)) return this.experiments.get(recorded) ?? recorded;
    return this.text(recorded);
  }

  /** Rewrites recorded run ids, run names and `mlflow-artifacts:/<experiment>` prefixes inside `s`. */
  text(s: string): string {
    if (this.tokens.size === 0) return s;
    this.pattern ??= new RegExp(
      `(?<![A-Za-z0-9])(?:${[...this.tokens.keys()]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|')})(?![A-Za-z0-9])`,
      'g',
    );
    return s.replace(this.pattern, (m) => this.tokens.get(m) ?? m);
  }

  /** The artifact URI our server gave the run `ourRunId`. */
  artifactUriOf(ourRunId: string): string {
    const uri = this.artifactUris.get(ourRunId);
    if (!uri) throw new Error(`Harness: no artifact_uri seen yet for run ${ourRunId}`);
    return uri;
  }

  /** Learns from a response: recorded and ours side by side, objects only (list order may differ). */
  learn(expected: Expected, actual: unknown): void {
    this.noteArtifactUris(actual);
    this.learnObject(expected, actual);
  }

  private learnObject(expected: Expected, actual: unknown): void {
    if (expected.kind !== 'object' || !isRecord(actual)) return;
    const pair = (field: string): [string, string] | undefined => {
      const rec = expected.fields[field];
      const ours = actual[field];
      return rec?.kind === 'string' && rec.value !== undefined && typeof ours === 'string'
        ? [rec.value, ours]
        : undefined;
    };
    const experiment = pair('experiment_id');
    if (experiment && !this.experiments.has(experiment[0])) {
      this.experiments.set(experiment[0], experiment[1]);
      this.addToken(`mlflow-artifacts:/${experiment[0]}`, `mlflow-artifacts:/${experiment[1]}`);
    }
    for (const field of RUN_ID_FIELDS) {
      const run = pair(field);
      if (!run) continue;
      this.addToken(run[0], run[1]);
      // Artifact paths and URLs address a run as `<experiment>/<run>`.
      if (experiment) this.addToken(`${experiment[0]}/${run[0]}`, `${experiment[1]}/${run[1]}`);
    }
    const runName = pair('run_name');
    if (runName) this.addToken(runName[0], runName[1]);
    for (const [field, value] of Object.entries(expected.fields)) this.learnObject(value, actual[field]);
  }

  private addToken(recorded: string, ours: string): void {
    if (this.tokens.has(recorded)) return;
    this.tokens.set(recorded, ours);
    this.pattern = undefined;
  }

  private noteArtifactUris(actual: unknown): void {
    if (Array.isArray(actual)) for (const item of actual) this.noteArtifactUris(item);
    if (!isRecord(actual)) return;
    if (typeof actual.run_id === 'string' && typeof actual.artifact_uri === 'string')
      this.artifactUris.set(actual.run_id, actual.artifact_uri);
    for (const value of Object.values(actual)) this.noteArtifactUris(value);
  }
}

/** The tags the stock client adds to `runs/create` after `mlflow.user`, in its order. */
const CLIENT_RUN_TAGS = [
  { key: 'mlflow.source.name', value: '/tmp/mlflow-bench/capture.py' },
  { key: 'mlflow.source.type', value: 'LOCAL' },
  { key: 'mlflow.source.git.commit', value: '3f786850e387550fdab836ed7e6dc881de23001b' },
];

/** `m1` → `m2`, `m3`; `a` → `a2`, `a3`: distinct keys, as a batch must have. */
function nthKey(first: string, nth: number): string {
  const numbered = /^(.*?)(\d+)$/.exec(first);
  return numbered ? `${numbered[1]}${Number(numbered[2]) + nth - 1}` : `${first}${nth}`;
}

/** The elements an abbreviated request list did not show: `count` more after `first`. */
function moreItems(field: string, first: unknown, count: number): unknown[] {
  if (count <= 0) return [];
  if (field === 'tags' && isRecord(first) && first.key === 'mlflow.user') {
    if (count > CLIENT_RUN_TAGS.length) throw new Error(`Harness: cannot synthesize ${count} more run tags`);
    return CLIENT_RUN_TAGS.slice(0, count);
  }
  if (isRecord(first) && typeof first.key === 'string') {
    const key = first.key;
    return Array.from({ length: count }, (_, i) => ({ ...first, key: nthKey(key, i + 2) }));
  }
  throw new Error(`Harness: cannot synthesize ${count} more elements of '${field}'`);
}

/** Values the recording elided, rebuilt from the request's other fields. */
const SYNTHESIZED: Record<string, (ids: IdMap, siblings: Json) => unknown> = {
  // The client registers `<run's artifact_uri>/model` (what `runs:/<run>/model` resolves to).
  source: (ids, siblings) => `${ids.artifactUriOf(String(siblings.run_id))}/model`,
};

/** The recorded request value as we send it: ids rewritten, elided values and list elements rebuilt. */
export function materialize(expected: Expected, ids: IdMap, field = ''): unknown {
  switch (expected.kind) {
    case 'null':
      return null;
    case 'string':
      if (expected.value === undefined) throw new Error(`Harness: no way to synthesize elided '${field}'`);
      return ids.value(field, expected.value);
    case 'integer':
    case 'float':
    case 'boolean':
      if (expected.value === undefined) throw new Error(`Harness: no way to synthesize elided '${field}'`);
      return expected.value;
    case 'list': {
      const shown = expected.items.map((item) => materialize(item, ids, field));
      return [...shown, ...moreItems(field, shown[0], expected.length - shown.length)];
    }
    case 'object': {
      const out: Json = {};
      const elided: string[] = [];
      for (const [key, value] of Object.entries(expected.fields)) {
        if (value.kind === 'string' && value.value === undefined && SYNTHESIZED[key]) elided.push(key);
        else out[key] = materialize(value, ids, key);
      }
      for (const key of elided) out[key] = SYNTHESIZED[key](ids, out);
      return out;
    }
  }
}
