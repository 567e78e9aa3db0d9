/**
 * The control plane with its artifacts in S3 (`s3://bucket/prefix`), end to end: the MLflow HTTP
 * API as the stock client calls it, against an in-process S3-compatible server (s3rver). Uploads
 * land as objects under the prefix, listings and downloads read them back, registration hashes and
 * inspects the model straight from the bucket (the same hash as from a local folder), and an
 * oversized streamed upload leaves no object behind.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type S3Options } from '../src/core/config.js';
import { openPlatform } from '../src/platform.js';
import type { ModelVersion } from '../src/registry/types.js';
import { type ListeningControlPlane as ControlPlane, startControlPlane } from './helpers/control-plane.js';
import { type LocalS3, startS3rver } from './helpers/s3rver.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOGREG = readFileSync(join(ROOT, 'test/fixtures/models/logreg.onnx'));
const NOTES = 'hello from S3\n';
const BUCKET = 'slipway-e2e';
const PREFIX = 'team-a';
const MLFLOW = '/api/2.0/mlflow';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';

type Json = Record<string, unknown>;

let tmp: string;
let s3rver: LocalS3 | undefined;
let s3: S3Options;
let bucket: S3Client | undefined;
const planes: ControlPlane[] = [];
let main: ControlPlane;
let limited: ControlPlane;
let experimentId: string;
let runId: string;

/** A control plane listening on 127.0.0.1 with its artifacts under s3://BUCKET/PREFIX. */
async function startS3ControlPlane(home: string, maxUploadBytes?: number): Promise<ControlPlane> {
  const plane = await startControlPlane({
    config: { home, artifactsDestination: `s3://${BUCKET}/${PREFIX}`, s3, maxUploadBytes },
    listen: true,
  });
  planes.push(plane);
  return plane;
}

/** One MLflow API call: JSON body for POST, query string for GET (as the Python client sends them). */
async function mlflow(plane: ControlPlane, method: 'GET' | 'POST', path: string, body: Json = {}) {
  const query = new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString();
  const res =
    method === 'GET'
      ? await fetch(`${plane.url}${MLFLOW}${path}?${query}`)
      : await fetch(`${plane.url}${MLFLOW}${path}`, {
          method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
  const json = (await res.json()) as Json;
  expect(res.status, `${method} ${path}: ${JSON.stringify(json)}`).toBe(200);
  return json;
}

/** An experiment and a run in it, created as `mlflow.set_experiment` + `mlflow.start_run` do. */
async function createRun(
  plane: ControlPlane,
  name: string,
): Promise<{ experimentId: string; runId: string }> {
  const { experiment_id } = (await mlflow(plane, 'POST', '/experiments/create', { name })) as {
    experiment_id: string;
  };
  const { run } = (await mlflow(plane, 'POST', '/runs/create', {
    experiment_id,
    user_id: 'root',
    start_time: Date.now(),
    tags: [{ key: 'mlflow.user', value: 'root' }],
  })) as { run: { info: { run_id: string; artifact_uri: string } } };
  expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${experiment_id}/${run.info.run_id}/artifacts`);
  return { experimentId: experiment_id, runId: run.info.run_id };
}

function putArtifact(plane: ControlPlane, path: string, body: RequestInit['body']): Promise<Response> {
  return fetch(`${plane.url}${ARTIFACTS}/${path}`, { method: 'PUT', body });
}

/** Every key in the bucket under `prefix`, straight from S3. */
async function bucketKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await bucket!.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }),
    );
    for (const { Key } of page.Contents ?? []) if (Key) keys.push(Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

async function objectBytes(key: string): Promise<Buffer> {
  const { Body } = await bucket!.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await Body!.transformToByteArray());
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'slipway-s3-e2e-'));
  s3rver = await startS3rver([BUCKET]);
  s3 = {
    endpoint: s3rver.endpoint,
    region: s3rver.region,
    accessKeyId: s3rver.accessKeyId,
    secretAccessKey: s3rver.secretAccessKey,
    forcePathStyle: true,
  };
  bucket = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
  });
  main = await startS3ControlPlane(join(tmp, 'main'));
  limited = await startS3ControlPlane(join(tmp, 'limited'), 1024);

  ({ experimentId, runId } = await createRun(main, 'fraud'));
  const base = `${experimentId}/${runId}/artifacts`;
  expect((await putArtifact(main, `${base}/model/model.onnx`, LOGREG)).status).toBe(200);
  expect((await putArtifact(main, `${base}/notes/a.txt`, NOTES)).status).toBe(200);
});

afterAll(async () => {
  for (const plane of planes.reverse()) await plane.close();
  bucket?.destroy();
  await s3rver?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('control plane with artifacts in S3', () => {
  it('lists and downloads uploaded artifacts through the MLflow artifact proxy', async () => {
    const base = `${experimentId}/${runId}/artifacts`;
    const list = await fetch(`${main.url}${ARTIFACTS}?path=${encodeURIComponent(base)}`);
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({
      files: [
        { path: 'model', is_dir: true },
        { path: 'notes', is_dir: true },
      ],
    });

    const inModel = await fetch(`${main.url}${ARTIFACTS}?path=${encodeURIComponent(`${base}/model`)}`);
    expect(await inModel.json()).toEqual({
      files: [{ path: 'model.onnx', is_dir: false, file_size: LOGREG.length }],
    });

    const text = await fetch(`${main.url}${ARTIFACTS}/${base}/notes/a.txt`);
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await text.text()).toBe(NOTES);

    const model = await fetch(`${main.url}${ARTIFACTS}/${base}/model/model.onnx`);
    expect(model.status).toBe(200);
    expect(Buffer.from(await model.arrayBuffer()).equals(LOGREG)).toBe(true);
  });

  it('keeps the artifacts as objects under the bucket prefix, not in the home folder', async () => {
    const base = `${PREFIX}/${experimentId}/${runId}/artifacts`;
    expect(await bucketKeys(`${PREFIX}/${experimentId}/${runId}/`)).toEqual([
      `${base}/model/model.onnx`,
      `${base}/notes/a.txt`,
    ]);
    expect((await objectBytes(`${base}/model/model.onnx`)).equals(LOGREG)).toBe(true);
    expect((await objectBytes(`${base}/notes/a.txt`)).toString()).toBe(NOTES);
    expect(existsSync(join(tmp, 'main', 'artifacts'))).toBe(false);
  });

  it('registers a version from runs:/ with the same content hash and signature as from a local folder', async () => {
    await mlflow(main, 'POST', '/registered-models/create', { name: 'fraud-detector' });
    const { model_version } = (await mlflow(main, 'POST', '/model-versions/create', {
      name: 'fraud-detector',
      source: `runs:/${runId}/model`,
      run_id: runId,
    })) as { model_version: Json };
    expect(model_version).toMatchObject({
      name: 'fraud-detector',
      version: '1',
      source: `runs:/${runId}/model`,
      run_id: runId,
      status: 'READY',
    });

    const res = await fetch(`${main.url}/api/v1/models/fraud-detector/versions/1`);
    expect(res.status).toBe(200);
    const { lineage } = (await res.json()) as ModelVersion;
    expect(lineage.artifactUri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`);
    expect(lineage.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(lineage.signature?.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: [-1, 20] }]);

    const local = await registerFromLocalFolder(join(tmp, 'local'));
    expect(local.lineage.artifactUri).toMatch(/^mlflow-artifacts:\//);
    expect(lineage.contentHash).toBe(local.lineage.contentHash);
    expect(lineage.signature).toEqual(local.lineage.signature);
    // The documented manifest: one `sha256sum` line per file, relative to the model folder.
    expect(lineage.contentHash).toBe(`sha256:${sha256(`${sha256(LOGREG)}  model.onnx\n`)}`);
  });

  it('refuses a streamed upload over the limit with 413 and leaves no object at its key', async () => {
    const run = await createRun(limited, 'big-uploads');
    const path = `${run.experimentId}/${run.runId}/artifacts/big.bin`;
    // No Content-Length: the limit must hold while the body streams to S3.
    const chunks = [Buffer.alloc(700, 1), Buffer.alloc(700, 2), Buffer.alloc(700, 3)];
    const res = await fetch(`${limited.url}${ARTIFACTS}/${path}`, {
      method: 'PUT',
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error_code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) });

    await expect(
      bucket!.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/${path}` })),
    ).rejects.toMatchObject({ name: 'NotFound' });
    expect(await bucketKeys(`${PREFIX}/${run.experimentId}/${run.runId}/`)).toEqual([]);

    // The same server still takes an upload within the limit.
    expect((await putArtifact(limited, path, Buffer.alloc(1024, 4))).status).toBe(200);
    expect(await bucketKeys(`${PREFIX}/${run.experimentId}/${run.runId}/`)).toEqual([`${PREFIX}/${path}`]);
  });
});

/** Registers the same model bytes on a platform with default (local folder) artifacts. */
async function registerFromLocalFolder(home: string): Promise<ModelVersion> {
  const platform = await openPlatform(resolveConfig({ home }));
  try {
    const experiment = await platform.tracking.createExperiment({ name: 'fraud' });
    const run = await platform.tracking.createRun({ experimentId: experiment.experimentId });
    await platform.artifacts.upload(run.info.runId, 'model/model.onnx', LOGREG);
    expect(existsSync(join(home, 'artifacts'))).toBe(true);
    await platform.registry.createRegisteredModel({ name: 'fraud-detector' });
    return await platform.registry.createModelVersion({
      name: 'fraud-detector',
      source: `runs:/${run.info.runId}/model`,
    });
  } finally {
    await platform.close();
  }
}
