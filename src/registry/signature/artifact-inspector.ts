/**
 * Inspects a model artifact at registration time: a content hash over its files and, when the files
 * say so, its signature. Files are streamed through the hash; only the small files a signature is
 * read from (`MLmodel`, one `.onnx` under 256 MiB) are held in memory.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { isSlipwayError } from '../../core/errors.js';
import type { ArtifactEntry, ArtifactStore } from '../../tracking/index.js';
import type { ModelSignature } from '../types.js';
import { readMlmodelFlavors, readMlmodelSignature } from './mlmodel-signature.js';
import { readOnnxSignature } from './onnx-signature.js';

/** Beyond this many files (or folders) the walk stops and `contentHash` is null, so registration never stalls. */
export const MAX_HASHED_FILES = 10_000;
/** Largest `.onnx` file read for its signature (bigger models keep their weights in external data). */
export const MAX_ONNX_SIGNATURE_BYTES = 256 * 1024 * 1024;
/** Largest `MLmodel` file read; real ones are a few KB. */
const MAX_MLMODEL_BYTES = 16 * 1024 * 1024;

/** What registration records about a model artifact. */
export interface ArtifactInspection {
  /** `sha256:<hex>`; null when nothing is at the path or it holds more than {@link MAX_HASHED_FILES} files. */
  contentHash: string | null;
  /** From `MLmodel` when it has one, else from the model's `.onnx` file; null when neither says. */
  signature: ModelSignature | null;
}

interface FileRef {
  /** Path relative to the inspected folder (the file name when a single file is inspected). */
  rel: string;
  size?: number;
}

/**
 * Hashes the artifact at `path` (one file, or a folder walked recursively) and reads its signature.
 *
 * The hash is `sha256:` + the SHA-256 of a manifest with one line per file, sorted by relative path
 * (UTF-8 byte order), in `sha256sum` format — so a folder's hash can be checked without Slipway:
 * `cd model && find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum`.
 * Only the relative paths count, so identical content at different roots hashes the same; a single
 * file is listed under its own name.
 *
 * The signature comes from `MLmodel` when that has one; otherwise from the `.onnx` file — the file
 * itself, or in a folder the onnx flavor's `data` file, `model.onnx`, or the only top-level `*.onnx`.
 * An unreadable signature (malformed file, unsupported dtype) gives null rather than an error; store
 * errors propagate.
 *
 * @example
 * const { contentHash, signature } = await inspectModelArtifact(store, '1/abc123/artifacts/model');
 */
export async function inspectModelArtifact(store: ArtifactStore, path: string): Promise<ArtifactInspection> {
  const root = path.replace(/^\/+|\/+$/g, '');
  const stat = await store.stat(root);
  if (!stat) return { contentHash: null, signature: null };
  if (!stat.isDir) return inspectFile(store, root, stat.size);
  return inspectFolder(store, root);
}

async function inspectFile(store: ArtifactStore, path: string, size: number): Promise<ArtifactInspection> {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const keepUpTo = isOnnxName(name) ? MAX_ONNX_SIGNATURE_BYTES : name === 'MLmodel' ? MAX_MLMODEL_BYTES : 0;
  const { hex, bytes } = await hashFile(store, path, size < keepUpTo ? keepUpTo : 0);
  let signature: ModelSignature | null = null;
  if (bytes && name === 'MLmodel') signature = tolerant(() => readMlmodelSignature(bytes.toString('utf8')));
  else if (bytes) signature = tolerant(() => readOnnxSignature(bytes));
  return { contentHash: manifestHash([{ rel: name, hex }]), signature };
}

async function inspectFolder(store: ArtifactStore, root: string): Promise<ArtifactInspection> {
  const top = await store.list(root);
  const files = await walk(store, root, top);

  let signature: ModelSignature | null = null;
  let onnxData: string | null = null;
  let mlmodel: Buffer | undefined;
  const mlmodelEntry = top.find((e) => !e.isDir && e.path === 'MLmodel');
  if (mlmodelEntry) {
    mlmodel = await readSmall(store, join(root, 'MLmodel'), MAX_MLMODEL_BYTES);
    const text = mlmodel?.toString('utf8');
    if (text !== undefined) {
      signature = tolerant(() => readMlmodelSignature(text));
      onnxData = tolerant(() => readMlmodelFlavors(text).onnxData);
    }
  }
  const onnxRel = signature ? null : pickOnnxFile(top, onnxData);

  let contentHash: string | null = null;
  let onnxBytes: Buffer | undefined;
  if (files) {
    const hashed: { rel: string; hex: string }[] = [];
    for (const file of files) {
      if (file.rel === 'MLmodel' && mlmodel) {
        hashed.push({ rel: file.rel, hex: createHash('sha256').update(mlmodel).digest('hex') });
        continue;
      }
      const keep = file.rel === onnxRel && (file.size ?? 0) < MAX_ONNX_SIGNATURE_BYTES;
      const { hex, bytes } = await hashFile(store, join(root, file.rel), keep ? MAX_ONNX_SIGNATURE_BYTES : 0);
      if (keep) onnxBytes = bytes;
      hashed.push({ rel: file.rel, hex });
    }
    contentHash = manifestHash(hashed);
  } else if (onnxRel) {
    onnxBytes = await readSmall(store, join(root, onnxRel), MAX_ONNX_SIGNATURE_BYTES);
  }
  if (onnxBytes) {
    const bytes = onnxBytes;
    signature = tolerant(() => readOnnxSignature(bytes));
  }
  return { contentHash, signature };
}

/** Every file under the folder, or null past {@link MAX_HASHED_FILES} files or folders. */
async function walk(store: ArtifactStore, root: string, top: ArtifactEntry[]): Promise<FileRef[] | null> {
  const files: FileRef[] = [];
  const pending: { rel: string; entries: ArtifactEntry[] }[] = [{ rel: '', entries: top }];
  let folders = 1;
  while (pending.length > 0) {
    const { rel, entries } = pending.pop()!;
    for (const entry of entries) {
      const childRel = rel === '' ? entry.path : `${rel}/${entry.path}`;
      if (entry.isDir) {
        if (++folders > MAX_HASHED_FILES) return null;
        pending.push({ rel: childRel, entries: await store.list(join(root, childRel)) });
      } else {
        files.push({ rel: childRel, size: entry.fileSize });
        if (files.length > MAX_HASHED_FILES) return null;
      }
    }
  }
  return files;
}

/** The onnx flavor's data file, else `model.onnx`, else the only top-level `*.onnx`. */
function pickOnnxFile(top: ArtifactEntry[], onnxData: string | null): string | null {
  if (onnxData && isSafeRelative(onnxData)) return onnxData;
  const onnxFiles = top.filter((e) => !e.isDir && isOnnxName(e.path)).map((e) => e.path);
  if (onnxFiles.includes('model.onnx')) return 'model.onnx';
  return onnxFiles.length === 1 ? onnxFiles[0] : null;
}

/** Streams a file through SHA-256, keeping its bytes when they fit in `keepUpTo`. */
async function hashFile(
  store: ArtifactStore,
  path: string,
  keepUpTo: number,
): Promise<{ hex: string; bytes?: Buffer }> {
  const hash = createHash('sha256');
  let chunks: Buffer[] | undefined = keepUpTo > 0 ? [] : undefined;
  let total = 0;
  const stream: Readable = await store.get(path);
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    hash.update(buf);
    total += buf.length;
    if (chunks && total > keepUpTo) chunks = undefined; // larger than it was listed as: stop keeping
    chunks?.push(buf);
  }
  return { hex: hash.digest('hex'), bytes: chunks ? Buffer.concat(chunks) : undefined };
}

async function readSmall(store: ArtifactStore, path: string, limit: number): Promise<Buffer | undefined> {
  const stat = await store.stat(path);
  if (!stat || stat.isDir || stat.size >= limit) return undefined;
  return (await hashFile(store, path, limit)).bytes;
}

/** `sha256:` + SHA-256 of `sha256sum`-style lines, sorted by path bytes. */
function manifestHash(files: { rel: string; hex: string }[]): string {
  const sorted = files
    .map((f) => ({ ...f, key: Buffer.from(f.rel, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.key, b.key));
  const manifest = createHash('sha256');
  for (const { rel, hex } of sorted) manifest.update(sha256sumLine(rel, hex));
  return `sha256:${manifest.digest('hex')}`;
}

/** One `sha256sum` output line; GNU coreutils escapes `\`, newline and CR and then prefixes a `\`. */
function sha256sumLine(rel: string, hex: string): string {
  if (!/[\\\n\r]/.test(rel)) return `${hex}  ${rel}\n`;
  const escaped = rel.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `\\${hex}  ${escaped}\n`;
}

/** Runs a signature reader, turning "this file is not what it claims" into null. */
function tolerant<T>(read: () => T): T | null {
  try {
    return read();
  } catch (err) {
    if (isSlipwayError(err) && err.code === 'INVALID_PARAMETER_VALUE') return null;
    throw err;
  }
}

function isOnnxName(name: string): boolean {
  return name.toLowerCase().endsWith('.onnx');
}

function isSafeRelative(rel: string): boolean {
  return rel.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

function join(root: string, rel: string): string {
  return root === '' ? rel : `${root}/${rel}`;
}
