/**
 * Artifacts in an S3-compatible object store, under `s3://bucket/prefix`. S3 has no folders: a
 * folder is the set of keys starting with `folder/`, listed with the `/` delimiter. Writes are
 * atomic by nature (an object, multipart or not, appears only once complete), so an aborted put
 * leaves the previous object untouched.
 */

import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { invalidParameter, notFound, SlipwayError } from '../../core/errors.js';
import { artifactTooLarge, checkArtifactPath, meterBody } from '../../tracking/artifact-path.js';
import type { ArtifactEntry, ArtifactStore } from '../../tracking/artifacts.js';

const MiB = 1024 * 1024;
/** S3's smallest part (all but the last part of a multipart upload). */
const MIN_PART_SIZE = 5 * MiB;
/** S3's largest batch for DeleteObjects. */
const DELETE_BATCH = 1000;

/** How to reach the object store; nothing is read from the environment here. */
export interface S3ArtifactStoreOptions {
  /** For S3-compatible stores (MinIO, R2, s3rver…), e.g. `http://127.0.0.1:9000`. */
  endpoint?: string;
  /** Defaults to the SDK's own resolution (which may consult AWS config files). */
  region?: string;
  /** Defaults to the SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** `http://host/bucket/key` instead of `http://bucket.host/key`; most S3-compatible stores need it. */
  forcePathStyle?: boolean;
  /** Multipart part size in bytes: default 8 MiB, at least 5 MiB. A put buffers up to 4 parts. */
  partSize?: number;
}

function isNotFound(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404)
  );
}

/** Artifact store over an S3 bucket (or a prefix inside one). */
export class S3ArtifactStore implements ArtifactStore {
  readonly rootUri: string;
  private readonly bucket: string;
  /** `''` or `prefix/`: prepended to every artifact path to make its key. */
  private readonly keyPrefix: string;
  private readonly partSize: number;
  private readonly client: S3Client;

  /** @param uri `s3://bucket` or `s3://bucket/prefix` */
  constructor(uri: string, opts: S3ArtifactStoreOptions = {}) {
    const match = /^s3:\/\/([^/?#]+)(?:\/([^?#]*))?$/i.exec(uri);
    if (!match) throw invalidParameter('artifact URI', 's3://bucket/prefix', uri);
    this.bucket = match[1]!;
    const prefix = checkArtifactPath((match[2] ?? '').replace(/^\/+/, ''), 'artifact URI');
    this.keyPrefix = prefix === '' ? '' : `${prefix}/`;
    this.rootUri = `s3://${this.bucket}${prefix === '' ? '' : `/${prefix}`}`;
    this.partSize = opts.partSize ?? 8 * MiB;
    if (!Number.isInteger(this.partSize) || this.partSize < MIN_PART_SIZE) {
      throw invalidParameter(
        'partSize',
        `an integer of at least ${MIN_PART_SIZE} bytes (5 MiB)`,
        opts.partSize,
      );
    }
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region,
      credentials: opts.credentials,
      forcePathStyle: opts.forcePathStyle,
    });
  }

  async init(): Promise<void> {}

  async close(): Promise<void> {
    this.client.destroy();
  }

  async put(
    path: string,
    body: Readable | Buffer,
    opts: { maxBytes?: number } = {},
  ): Promise<{ size: number }> {
    const rel = checkArtifactPath(path);
    if (rel === '') throw invalidParameter('path', 'a file path below the artifact root', path);
    const counter = meterBody(rel, body, opts.maxBytes);
    // Upload sends one PutObject when the body fits in one part, else a multipart upload. When the
    // counter fails (limit passed, or the body broke) the part iterator throws, Upload waits for the
    // parts in flight and sends AbortMultipartUpload itself; done() then rejects.
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.key(rel), Body: counter },
      partSize: this.partSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      // Report the limit, not whatever the abort produced (s3rver, for one, refuses AbortMultipartUpload).
      if (counter.exceeded && opts.maxBytes !== undefined) throw artifactTooLarge(rel, opts.maxBytes);
      throw err;
    } finally {
      if (!counter.readableEnded) counter.destroy();
    }
    return { size: counter.bytes };
  }

  async get(path: string): Promise<Readable> {
    const rel = checkArtifactPath(path);
    if (rel === '') throw notFound('Artifact', rel);
    let body: unknown;
    try {
      body = (await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }))).Body;
    } catch (err) {
      if (isNotFound(err)) throw notFound('Artifact', rel);
      throw err;
    }
    if (body instanceof Readable) return body;
    throw new SlipwayError('INTERNAL_ERROR', `The object store returned no readable body for '${rel}'`);
  }

  async stat(path: string): Promise<{ isDir: boolean; size: number } | undefined> {
    const rel = checkArtifactPath(path);
    if (rel === '') return { isDir: true, size: 0 };
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
      return { isDir: false, size: head.ContentLength ?? 0 };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const page = await this.client.send(
      new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.folderPrefix(rel), MaxKeys: 1 }),
    );
    return (page.Contents?.length ?? 0) > 0 ? { isDir: true, size: 0 } : undefined;
  }

  async list(path: string): Promise<ArtifactEntry[]> {
    const prefix = this.folderPrefix(checkArtifactPath(path));
    const entries: ArtifactEntry[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          Delimiter: '/',
          ContinuationToken: token,
        }),
      );
      for (const { Prefix } of page.CommonPrefixes ?? []) {
        const name = Prefix?.slice(prefix.length, -1);
        if (name) entries.push({ path: name, isDir: true });
      }
      for (const { Key, Size } of page.Contents ?? []) {
        // A key equal to the prefix is a "folder marker" some tools create; it is not a child.
        const name = Key?.slice(prefix.length);
        if (name) entries.push({ path: name, isDir: false, fileSize: Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(path: string): Promise<void> {
    const rel = checkArtifactPath(path);
    if (rel !== '')
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
    const prefix = this.folderPrefix(rel);
    // Always re-list from the start rather than follow a continuation token across deletions.
    for (;;) {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: DELETE_BATCH }),
      );
      const keys = (page.Contents ?? []).flatMap(({ Key }) => (Key === undefined ? [] : [{ Key }]));
      if (keys.length === 0) return;
      const result = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }),
      );
      const failed = result.Errors ?? [];
      if (failed.length > 0) {
        throw new SlipwayError(
          'INTERNAL_ERROR',
          `Could not delete ${failed.length} object(s) under '${rel}': ${failed[0]?.Code} ${failed[0]?.Message}`,
          { path: rel, keys: failed.map((e) => e.Key) },
        );
      }
      if (!page.IsTruncated) return;
    }
  }

  private key(rel: string): string {
    return this.keyPrefix + rel;
  }

  /** The key prefix of everything inside folder `rel` (the root when `''`). */
  private folderPrefix(rel: string): string {
    return rel === '' ? this.keyPrefix : `${this.key(rel)}/`;
  }
}

/** Factory options: the store's own, or credentials given flat as in Slipway's resolved `s3` config. */
export type S3ArtifactStoreFactoryOptions = S3ArtifactStoreOptions & {
  accessKeyId?: string;
  secretAccessKey?: string;
};

/**
 * Opens the S3 store for `s3://bucket/prefix`. The caller passes endpoint and credentials (from its
 * resolved config; flat `accessKeyId`/`secretAccessKey` are accepted when `credentials` is absent);
 * this reads nothing from `process.env`. Without credentials the SDK's default chain applies.
 *
 * @example
 * const store = createS3ArtifactStore('s3://ml-artifacts/slipway', {
 *   endpoint: 'http://127.0.0.1:9000',
 *   forcePathStyle: true,
 *   region: 'us-east-1',
 *   credentials: { accessKeyId: 'minio', secretAccessKey: 'minio123' },
 * });
 */
export function createS3ArtifactStore(
  uri: string,
  opts: S3ArtifactStoreFactoryOptions = {},
): S3ArtifactStore {
  const { accessKeyId, secretAccessKey, ...rest } = opts;
  const credentials =
    rest.credentials ??
    (accessKeyId !== undefined && secretAccessKey !== undefined
      ? { accessKeyId, secretAccessKey }
      : undefined);
  return new S3ArtifactStore(uri, { ...rest, credentials });
}
