/**
 * The behaviour every `ArtifactStore` backend must show. Each backend's test file calls
 * `describeArtifactStore` with a factory giving a fresh, empty store (and how to clean it up).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactStore } from './artifacts.js';

/** A fresh, empty store and how to dispose of it. */
export interface ArtifactStoreFixture {
  store: ArtifactStore;
  cleanup: () => Promise<void>;
}

const MiB = 1024 * 1024;
const TRAVERSALS = ['../x', '/etc/passwd', 'a/%2e%2e/b', 'a\u0000b', 'a\\..\\..\\b'];

/** Reads a whole stream into one Buffer. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * A stream of `size` deterministic pseudo-random bytes in 64 KiB chunks, produced lazily (never held
 * whole in memory), with the SHA-256 of everything it produced available once it has ended.
 */
export function generatedBody(size: number, seed = 1): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  let state = seed >>> 0 || 1;
  let left = size;
  function* chunks(): Generator<Buffer> {
    while (left > 0) {
      const length = Math.min(64 * 1024, left);
      const words = Buffer.allocUnsafe(Math.ceil(length / 4) * 4);
      for (let i = 0; i < words.length; i += 4) {
        // xorshift32: cheap, deterministic, and not compressible into a false pass.
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        state >>>= 0;
        words.writeUInt32LE(state, i);
      }
      const chunk = words.subarray(0, length);
      left -= chunk.length;
      hash.update(chunk);
      yield chunk;
    }
  }
  let digest: string | undefined;
  return {
    stream: Readable.from(chunks(), { objectMode: false }),
    sha256: () => {
      digest ??= hash.digest('hex');
      return digest;
    },
  };
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Registers the shared artifact-store tests for one backend. */
export function describeArtifactStore(name: string, makeStore: () => Promise<ArtifactStoreFixture>): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    let fixture: ArtifactStoreFixture;
    let store: ArtifactStore;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
      await store.init();
    });

    afterEach(async () => {
      await store.close();
      await fixture.cleanup();
    });

    async function text(path: string): Promise<string> {
      return (await readAll(await store.get(path))).toString('utf8');
    }

    it('reads back the text it stored', async () => {
      await expect(store.put('hello.txt', Buffer.from('héllo wörld'))).resolves.toEqual({ size: 13 });
      expect(await text('hello.txt')).toBe('héllo wörld');
    });

    it('reads back binary content byte for byte', async () => {
      const bytes = Buffer.concat([
        Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
        Buffer.alloc(1000),
      ]);
      await store.put('bin/all-bytes.bin', bytes);
      expect((await readAll(await store.get('bin/all-bytes.bin'))).equals(bytes)).toBe(true);
    });

    it('stores an empty file', async () => {
      await expect(store.put('empty', Buffer.alloc(0))).resolves.toEqual({ size: 0 });
      expect(await text('empty')).toBe('');
      expect(await store.stat('empty')).toEqual({ isDir: false, size: 0 });
    });

    it('streams a body larger than 10 MiB in and out', async () => {
      const size = 11 * MiB + 123;
      const body = generatedBody(size);
      await expect(store.put('big/weights.bin', body.stream, { maxBytes: 20 * MiB })).resolves.toEqual({
        size,
      });
      const back = await readAll(await store.get('big/weights.bin'));
      expect(back.length).toBe(size);
      expect(sha256(back)).toBe(body.sha256());
      expect(await store.stat('big/weights.bin')).toEqual({ isDir: false, size });
    });

    it('accepts a body of exactly maxBytes', async () => {
      await expect(store.put('exact.bin', generatedBody(4096).stream, { maxBytes: 4096 })).resolves.toEqual({
        size: 4096,
      });
    });

    it('lists nested folders with isDir and files with their size', async () => {
      await store.put('metrics.json', Buffer.from('{}'));
      await store.put('model/MLmodel', Buffer.from('flavors: {}\n'));
      await store.put('model/conda.yaml', Buffer.from('name: x'));
      await store.put('model/data/weights.bin', Buffer.alloc(10));
      expect(await store.list('')).toEqual([
        { path: 'metrics.json', isDir: false, fileSize: 2 },
        { path: 'model', isDir: true },
      ]);
      const model = [
        { path: 'MLmodel', isDir: false, fileSize: 12 },
        { path: 'conda.yaml', isDir: false, fileSize: 7 },
        { path: 'data', isDir: true },
      ];
      expect(await store.list('model')).toEqual(model);
      expect(await store.list('model/')).toEqual(model);
      expect(await store.list('model/data')).toEqual([{ path: 'weights.bin', isDir: false, fileSize: 10 }]);
    });

    it('lists a missing folder as empty', async () => {
      await store.put('a/b.txt', Buffer.from('b'));
      expect(await store.list('nope')).toEqual([]);
      expect(await store.list('a/nope/deeper')).toEqual([]);
    });

    it('lists a file as an empty folder', async () => {
      await store.put('a/b.txt', Buffer.from('b'));
      expect(await store.list('a/b.txt')).toEqual([]);
    });

    it('fails with RESOURCE_DOES_NOT_EXIST when getting a missing file or a folder', async () => {
      await store.put('folder/file.txt', Buffer.from('x'));
      await expect(store.get('missing.txt')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
      await expect(store.get('folder')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
      await expect(store.get('')).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
    });

    it('replaces the content when a file is overwritten', async () => {
      await store.put('model.onnx', Buffer.from('first version, longer'));
      await store.put('model.onnx', Readable.from([Buffer.from('second')]));
      expect(await text('model.onnx')).toBe('second');
      expect(await store.stat('model.onnx')).toEqual({ isDir: false, size: 6 });
    });

    it('removes everything beneath a deleted folder and nothing beside it', async () => {
      await store.put('model/MLmodel', Buffer.from('m'));
      await store.put('model/data/weights.bin', Buffer.from('w'));
      await store.put('model-card.md', Buffer.from('c'));
      await store.put('modelx/keep', Buffer.from('k'));
      await store.delete('model');
      expect(await store.stat('model')).toBeUndefined();
      await expect(store.get('model/data/weights.bin')).rejects.toMatchObject({
        code: 'RESOURCE_DOES_NOT_EXIST',
      });
      expect((await store.list('')).map((e) => e.path)).toEqual(['model-card.md', 'modelx']);
    });

    it('deletes a single file and ignores a missing one', async () => {
      await store.put('a/one.txt', Buffer.from('1'));
      await store.put('a/two.txt', Buffer.from('2'));
      await store.delete('a/one.txt');
      await store.delete('a/one.txt');
      await store.delete('never/was');
      expect((await store.list('a')).map((e) => e.path)).toEqual(['two.txt']);
    });

    it('reports files, folders, the root and missing paths in stat', async () => {
      await store.put('dir/sub/file.txt', Buffer.from('12345'));
      expect(await store.stat('dir/sub/file.txt')).toEqual({ isDir: false, size: 5 });
      expect(await store.stat('dir/sub')).toMatchObject({ isDir: true });
      expect(await store.stat('dir')).toMatchObject({ isDir: true });
      expect(await store.stat('')).toMatchObject({ isDir: true });
      expect(await store.stat('dir/missing')).toBeUndefined();
      expect(await store.stat('dir/sub/file.txt/below')).toBeUndefined();
    });

    it('refuses a streamed body over maxBytes and leaves nothing at the path', async () => {
      const put = store.put('big.bin', generatedBody(MiB).stream, { maxBytes: 1000 });
      await expect(put).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      await expect(put).rejects.toThrow(/1000 bytes/);
      expect(await store.stat('big.bin')).toBeUndefined();
      expect(await store.list('')).toEqual([]);
    });

    it('refuses a Buffer body over maxBytes', async () => {
      await expect(store.put('small.bin', Buffer.alloc(11), { maxBytes: 10 })).rejects.toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
      });
      expect(await store.stat('small.bin')).toBeUndefined();
    });

    it('keeps the previous file intact when an overwrite is over maxBytes', async () => {
      await store.put('keep/model.onnx', Buffer.from('old content'));
      // Larger than one 5 MiB part, so S3 has started a multipart upload when the limit trips.
      const put = store.put('keep/model.onnx', generatedBody(7 * MiB).stream, { maxBytes: 6 * MiB });
      await expect(put).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      expect(await text('keep/model.onnx')).toBe('old content');
      expect(await store.list('keep')).toEqual([{ path: 'model.onnx', isDir: false, fileSize: 11 }]);
    });

    it('fails and leaves nothing at the path when the body stream breaks', async () => {
      await store.put('broken.bin', Buffer.from('old'));
      async function* breaking(): AsyncGenerator<Buffer> {
        yield Buffer.alloc(1024);
        throw new Error('connection reset by peer');
      }
      await expect(store.put('broken.bin', Readable.from(breaking()))).rejects.toThrow(/connection reset/);
      expect(await text('broken.bin')).toBe('old');
      expect(await store.list('')).toEqual([{ path: 'broken.bin', isDir: false, fileSize: 3 }]);
    });

    it('refuses to write at the root', async () => {
      await expect(store.put('', Buffer.from('x'))).rejects.toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
      });
    });

    it.each(TRAVERSALS)('refuses the traversal attempt %j in every operation', async (path) => {
      const invalid = { code: 'INVALID_PARAMETER_VALUE' };
      await expect(store.put(path, Buffer.from('x'))).rejects.toMatchObject(invalid);
      await expect(store.get(path)).rejects.toMatchObject(invalid);
      await expect(store.stat(path)).rejects.toMatchObject(invalid);
      await expect(store.list(path)).rejects.toMatchObject(invalid);
      await expect(store.delete(path)).rejects.toMatchObject(invalid);
    });
  });
}
