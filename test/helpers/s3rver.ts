/**
 * An S3-compatible server in this process (the npm package s3rver), for artifact-store tests.
 * Inputs: the buckets to create. Output: its endpoint, the credentials it accepts, and `stop()`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The part of s3rver (an untyped CommonJS package) the tests use. */
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverServer;

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as S3rverConstructor;

/**
 * s3rver quirk: it encrypts ListObjectsV2 continuation tokens with single DES, which OpenSSL 3
 * (Node >= 17) refuses without --openssl-legacy-provider, so any listing of more than 1000 keys
 * answers 500. s3rver runs in this process, so while it runs its `des` becomes 3DES with the key
 * repeated (same 8-byte block and IV; the token only has to round-trip).
 */
type CipherFactory = (algorithm: string, key: Buffer, iv: Buffer, ...rest: unknown[]) => unknown;
const cryptoExports = require('node:crypto') as Record<'createCipheriv' | 'createDecipheriv', CipherFactory>;
const originalCiphers = {
  createCipheriv: cryptoExports.createCipheriv,
  createDecipheriv: cryptoExports.createDecipheriv,
};
function allowS3rverDes(): void {
  for (const name of ['createCipheriv', 'createDecipheriv'] as const) {
    const original = originalCiphers[name];
    cryptoExports[name] = (algorithm, key, iv, ...rest) =>
      algorithm === 'des'
        ? original('des-ede3-cbc', Buffer.concat([key, key, key]), iv, ...rest)
        : original(algorithm, key, iv, ...rest);
  }
}

export interface LocalS3 {
  endpoint: string;
  region: 'us-east-1';
  accessKeyId: 'S3RVER';
  secretAccessKey: 'S3RVER';
  stop(): Promise<void>;
}

export async function startS3rver(buckets: string[]): Promise<LocalS3> {
  allowS3rverDes();
  const directory = await mkdtemp(join(tmpdir(), 'slipway-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    stop: async () => {
      await server.close();
      Object.assign(cryptoExports, originalCiphers);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
