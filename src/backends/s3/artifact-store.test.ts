import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startS3rver } from '../../../test/helpers/s3rver.js';
import { describeArtifactStore, readAll } from '../../tracking/artifact-store.suite.js';
import { createS3ArtifactStore, S3ArtifactStore, type S3ArtifactStoreOptions } from './artifact-store.js';

const BUCKET = 'slipway-test';
let s3: LocalS3;
let options: S3ArtifactStoreOptions;

beforeAll(async () => {
  s3 = await startS3rver([BUCKET]);
  options = {
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    // The smallest S3 allows, so the suite's 11 MiB body goes up in three parts. (s3rver answers
    // AbortMultipartUpload with 405; the store reports PAYLOAD_TOO_LARGE regardless, and the
    // orphaned parts never become an object.)
    partSize: 5 * 1024 * 1024,
  };
});

afterAll(async () => {
  await s3?.stop();
});

// Each test gets its own prefix in the one bucket: an empty store without restarting the server.
describeArtifactStore('S3 (s3rver)', async () => {
  const store = new S3ArtifactStore(`s3://${BUCKET}/runs-${randomUUID()}`, options);
  return { store, cleanup: () => store.delete('') };
});

describe('S3ArtifactStore', () => {
  it('keeps artifacts of different prefixes apart', async () => {
    const a = createS3ArtifactStore(`s3://${BUCKET}/a-${randomUUID()}`, options);
    const b = createS3ArtifactStore(`s3://${BUCKET}/${randomUUID()}`, options);
    await a.put('model/MLmodel', Buffer.from('a'));
    await b.put('model/MLmodel', Buffer.from('b'));
    await a.delete('model');
    expect(await a.list('')).toEqual([]);
    expect((await readAll(await b.get('model/MLmodel'))).toString()).toBe('b');
    await b.delete('');
    await Promise.all([a.close(), b.close()]);
  });

  it('deletes folders of more than one DeleteObjects batch', async () => {
    const store = new S3ArtifactStore(`s3://${BUCKET}/many-${randomUUID()}`, options);
    const names = Array.from({ length: 1005 }, (_, i) => `steps/${String(i).padStart(4, '0')}.json`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(names.slice(i, i + 50).map((name) => store.put(name, Buffer.from('{}'))));
    }
    const listed = await store.list('steps');
    expect(listed).toHaveLength(1005);
    expect(listed[0]).toEqual({ path: '0000.json', isDir: false, fileSize: 2 });
    await store.delete('steps');
    expect(await store.stat('steps')).toBeUndefined();
    await store.close();
  });

  it('accepts flat access keys in the factory, as the resolved config holds them', async () => {
    const { credentials, ...rest } = options;
    const store = createS3ArtifactStore(`s3://${BUCKET}/flat-${randomUUID()}`, {
      ...rest,
      accessKeyId: credentials?.accessKeyId,
      secretAccessKey: credentials?.secretAccessKey,
    });
    await store.put('a.txt', Buffer.from('a'));
    expect(await store.stat('a.txt')).toEqual({ isDir: false, size: 1 });
    await store.delete('');
    await store.close();
  });

  it('normalises the root URI', () => {
    expect(new S3ArtifactStore('s3://bucket', options).rootUri).toBe('s3://bucket');
    expect(new S3ArtifactStore('s3://bucket/', options).rootUri).toBe('s3://bucket');
    expect(new S3ArtifactStore('s3://bucket//a/b/', options).rootUri).toBe('s3://bucket/a/b');
  });

  it('refuses a URI that is not s3:// or whose prefix climbs out', () => {
    expect(() => new S3ArtifactStore('file:///tmp/x', options)).toThrow(/artifact URI/);
    expect(() => new S3ArtifactStore('s3://bucket/../x', options)).toThrow(/artifact URI/);
  });

  it('refuses a part size under 5 MiB', () => {
    expect(() => new S3ArtifactStore('s3://bucket', { ...options, partSize: 1024 })).toThrow(/partSize/);
  });
});
