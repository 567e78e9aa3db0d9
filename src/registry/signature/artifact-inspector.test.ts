import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { notFound } from '../../core/errors.js';
import type { ArtifactEntry, ArtifactStore } from '../../tracking/artifacts.js';
import { inspectModelArtifact, MAX_HASHED_FILES } from './artifact-inspector.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/models/${name}`, import.meta.url));
const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Just enough of an artifact store, in memory; `get` streams in small chunks like a real one. */
class MemoryArtifactStore implements ArtifactStore {
  readonly rootUri = 'memory://';
  readonly files = new Map<string, Buffer>();
  async init(): Promise<void> {}
  async close(): Promise<void> {}
  async put(path: string, body: Readable | Buffer): Promise<{ size: number }> {
    const data = Buffer.isBuffer(body) ? body : Buffer.concat(await body.toArray());
    this.files.set(path, data);
    return { size: data.length };
  }
  async get(path: string): Promise<Readable> {
    const data = this.files.get(path);
    if (!data) throw notFound('Artifact', path);
    const chunks: Buffer[] = [];
    for (let i = 0; i < data.length; i += 1000) chunks.push(data.subarray(i, i + 1000));
    return Readable.from(chunks);
  }
  async stat(path: string): Promise<{ isDir: boolean; size: number } | undefined> {
    const data = this.files.get(path);
    if (data) return { isDir: false, size: data.length };
    const prefix = path === '' ? '' : `${path}/`;
    return [...this.files.keys()].some((k) => k.startsWith(prefix)) ? { isDir: true, size: 0 } : undefined;
  }
  async list(path: string): Promise<ArtifactEntry[]> {
    const prefix = path === '' ? '' : `${path}/`;
    const children = new Map<string, ArtifactEntry>();
    for (const [key, data] of this.files) {
      if (!key.startsWith(prefix)) continue;
      const [name, ...rest] = key.slice(prefix.length).split('/');
      children.set(
        name,
        rest.length > 0 ? { path: name, isDir: true } : { path: name, isDir: false, fileSize: data.length },
      );
    }
    return [...children.values()].sort((a, b) => a.path.localeCompare(b.path));
  }
  async delete(path: string): Promise<void> {
    for (const key of [...this.files.keys()])
      if (key === path || key.startsWith(`${path}/`)) this.files.delete(key);
  }
}

function storeWith(files: Record<string, string | Buffer>): MemoryArtifactStore {
  const store = new MemoryArtifactStore();
  for (const [path, data] of Object.entries(files)) store.files.set(path, Buffer.from(data));
  return store;
}

const mlflowModel = {
  MLmodel: fixture('mlflow_onnx_model/MLmodel'),
  'model.onnx': fixture('mlflow_onnx_model/model.onnx'),
  'requirements.txt': 'onnx==1.17.0\n',
};
const atRoot = (root: string, files: Record<string, string | Buffer>) =>
  Object.fromEntries(Object.entries(files).map(([path, data]) => [`${root}/${path}`, data]));

describe('inspectModelArtifact', () => {
  it('gives the same hash on every call', async () => {
    const store = storeWith(atRoot('1/run/artifacts/model', mlflowModel));
    const first = await inspectModelArtifact(store, '1/run/artifacts/model');
    const second = await inspectModelArtifact(store, '1/run/artifacts/model/');
    expect(first.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(second.contentHash).toBe(first.contentHash);
  });

  it('changes the hash when one byte of one file changes', async () => {
    const store = storeWith(atRoot('m', { ...mlflowModel, 'sub/deep/weights.bin': 'abcdef' }));
    const before = await inspectModelArtifact(store, 'm');
    store.files.set('m/sub/deep/weights.bin', Buffer.from('abcdeF'));
    const after = await inspectModelArtifact(store, 'm');
    expect(after.contentHash).not.toBe(before.contentHash);
  });

  it('changes the hash when a file is renamed but keeps its content', async () => {
    const a = await inspectModelArtifact(storeWith({ 'm/a.txt': 'same' }), 'm');
    const b = await inspectModelArtifact(storeWith({ 'm/b.txt': 'same' }), 'm');
    expect(a.contentHash).not.toBe(b.contentHash);
  });

  it('gives identical content at different roots the same hash', async () => {
    const store = storeWith({
      ...atRoot('1/aaa/artifacts/model', mlflowModel),
      ...atRoot('7/bbb/x', mlflowModel),
    });
    const a = await inspectModelArtifact(store, '1/aaa/artifacts/model');
    const b = await inspectModelArtifact(store, '7/bbb/x');
    expect(a.contentHash).toBe(b.contentHash);
  });

  it('hashes a sha256sum-style manifest sorted by path, so the hash can be checked from a shell', async () => {
    const store = storeWith({ 'm/b/c.txt': 'two', 'm/a.txt': 'one', 'm/a-z.txt': 'three' });
    const manifest = `${sha256('three')}  a-z.txt\n${sha256('one')}  a.txt\n${sha256('two')}  b/c.txt\n`;
    expect((await inspectModelArtifact(store, 'm')).contentHash).toBe(`sha256:${sha256(manifest)}`);
  });

  it("takes the signature from MLmodel when it has one, even over the onnx file's", async () => {
    const mlmodel = `flavors:\n  onnx:\n    data: model.onnx\nsignature:\n  inputs: '[{"name": "a", "type": "double"}]'\n`;
    const store = storeWith({ 'm/MLmodel': mlmodel, 'm/model.onnx': fixture('logreg.onnx') });
    expect((await inspectModelArtifact(store, 'm')).signature).toEqual({
      inputs: [{ name: 'a', dtype: 'float64', shape: [-1] }],
      outputs: [],
    });
  });

  it('reads the signature of the MLflow onnx fixture folder', async () => {
    const { signature } = await inspectModelArtifact(storeWith(atRoot('m', mlflowModel)), 'm');
    expect(signature?.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: [-1, 20] }]);
  });

  it("falls back to the onnx flavor's data file when MLmodel has no signature", async () => {
    const mlmodel = 'flavors:\n  onnx:\n    data: net.onnx\n';
    const store = storeWith({
      'm/MLmodel': mlmodel,
      'm/net.onnx': fixture('mlp.onnx'),
      'm/x.onnx': fixture('logreg.onnx'),
    });
    expect((await inspectModelArtifact(store, 'm')).signature?.inputs[0].name).toBe('x');
  });

  it('reads model.onnx, or the only onnx file, in a folder without MLmodel', async () => {
    const two = storeWith({
      'm/model.onnx': fixture('multi_io.onnx'),
      'm/other.onnx': fixture('logreg.onnx'),
    });
    expect((await inspectModelArtifact(two, 'm')).signature?.outputs.map((s) => s.name)).toEqual([
      'ids_double',
      'text_copy',
    ]);
    const one = storeWith({ 'm/classifier.onnx': fixture('logreg.onnx'), 'm/README.md': '# hi' });
    expect((await inspectModelArtifact(one, 'm')).signature?.outputs[0].name).toBe('probability');
  });

  it('gives no signature when a folder has several onnx files and none is model.onnx', async () => {
    const store = storeWith({ 'm/a.onnx': fixture('logreg.onnx'), 'm/b.onnx': fixture('mlp.onnx') });
    const result = await inspectModelArtifact(store, 'm');
    expect(result.signature).toBeNull();
    expect(result.contentHash).not.toBeNull();
  });

  it('inspects a single onnx file given directly', async () => {
    const store = storeWith({ 'models/mlp.onnx': fixture('mlp.onnx') });
    const result = await inspectModelArtifact(store, 'models/mlp.onnx');
    expect(result.contentHash).toBe(`sha256:${sha256(`${sha256(fixture('mlp.onnx'))}  mlp.onnx\n`)}`);
    expect(result.signature?.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: [-1, 64] }]);
  });

  it('still hashes an artifact whose onnx file is corrupt, with no signature', async () => {
    const store = storeWith({ 'm/model.onnx': 'definitely not protobuf' });
    const result = await inspectModelArtifact(store, 'm');
    expect(result).toEqual({ contentHash: expect.stringMatching(/^sha256:/), signature: null });
  });

  it('returns nulls when nothing is at the path', async () => {
    const store = storeWith(atRoot('m', mlflowModel));
    expect(await inspectModelArtifact(store, 'missing')).toEqual({ contentHash: null, signature: null });
  });

  it('refuses to hash a folder of more than the file limit but still reads its signature', async () => {
    const files: Record<string, string | Buffer> = { 'm/model.onnx': fixture('logreg.onnx') };
    for (let i = 0; i < MAX_HASHED_FILES; i++) files[`m/shard-${i}.bin`] = '';
    const result = await inspectModelArtifact(storeWith(files), 'm');
    expect(result.contentHash).toBeNull();
    expect(result.signature?.inputs[0].name).toBe('input');
  });
});
