/**
 * Artifacts in a local folder (the embedded default). Writes go to a temp file beside the target and
 * are renamed into place, so a reader or a crash never sees half a file under the real name. Every
 * path is checked twice: lexically (`checkArtifactPath`) and physically (its real path, symbolic
 * links resolved, must stay inside the real path of the root).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { invalidParameter, notFound } from '../../core/errors.js';
import { checkArtifactPath, meterBody } from '../../tracking/artifact-path.js';
import type { ArtifactEntry, ArtifactStore } from '../../tracking/artifacts.js';

/** Names of in-progress writes; hidden from listings. Leftovers of a crash can be deleted safely. */
const TEMP_PREFIX = '.slipway-upload-';
const MISSING = new Set(['ENOENT', 'ENOTDIR']);

function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function isMissing(err: unknown): boolean {
  return MISSING.has(errorCode(err) ?? '');
}

/** Artifact store over a local folder. */
export class FsArtifactStore implements ArtifactStore {
  readonly rootUri: string;
  private readonly root: string;
  private realRootPromise: Promise<string> | undefined;

  /** @param root absolute path of the folder holding the artifacts (created on `init`). */
  constructor(root: string) {
    if (!isAbsolute(root)) throw invalidParameter('root', 'an absolute folder path', root);
    this.root = resolve(root);
    this.rootUri = pathToFileURL(this.root).href;
  }

  async init(): Promise<void> {
    await this.realRoot();
  }

  async close(): Promise<void> {}

  async put(
    path: string,
    body: Readable | Buffer,
    opts: { maxBytes?: number } = {},
  ): Promise<{ size: number }> {
    const { rel, abs } = await this.resolve(path);
    if (rel === '') throw invalidParameter('path', 'a file path below the artifact root', path);
    const counter = meterBody(rel, body, opts.maxBytes);
    try {
      const folder = dirname(abs);
      await this.makeFolder(folder, path);
      if ((await lstat(abs).catch(() => undefined))?.isDirectory()) {
        throw invalidParameter('path', 'a file path, not an existing folder', path);
      }
      const temp = join(folder, `${TEMP_PREFIX}${randomUUID()}`);
      try {
        // `flush` fsyncs before close: after the rename the name points at complete, durable bytes.
        await pipeline(counter, createWriteStream(temp, { flags: 'wx', flush: true }));
        await rename(temp, abs);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    } finally {
      if (!counter.writableFinished) counter.destroy();
    }
    return { size: counter.bytes };
  }

  async get(path: string): Promise<Readable> {
    const { rel, abs } = await this.resolve(path);
    if (rel === '') throw notFound('Artifact', rel);
    let handle: FileHandle;
    try {
      handle = await open(abs, 'r');
    } catch (err) {
      if (isMissing(err) || errorCode(err) === 'EISDIR') throw notFound('Artifact', rel);
      throw err;
    }
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw notFound('Artifact', rel);
    }
    return handle.createReadStream();
  }

  async stat(path: string): Promise<{ isDir: boolean; size: number } | undefined> {
    const { abs } = await this.resolve(path);
    try {
      const info = await stat(abs);
      if (info.isDirectory()) return { isDir: true, size: 0 };
      return info.isFile() ? { isDir: false, size: info.size } : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async list(path: string): Promise<ArtifactEntry[]> {
    const { abs } = await this.resolve(path);
    let names: string[];
    try {
      names = await readdir(abs);
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    const entries = await Promise.all(
      names.filter((name) => !name.startsWith(TEMP_PREFIX)).map((name) => this.entry(join(abs, name), name)),
    );
    return entries
      .filter((entry): entry is ArtifactEntry => entry !== undefined)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(path: string): Promise<void> {
    const { rel, abs } = await this.resolve(path);
    if (rel !== '') {
      // rm removes a symbolic link itself, never what it points to.
      await rm(abs, { recursive: true, force: true });
      return;
    }
    const names = await readdir(abs).catch((err: unknown) => (isMissing(err) ? [] : Promise.reject(err)));
    await Promise.all(names.map((name) => rm(join(abs, name), { recursive: true, force: true })));
  }

  /** One listing entry; undefined for what is not a plain file or folder inside the root. */
  private async entry(abs: string, name: string): Promise<ArtifactEntry | undefined> {
    try {
      const link = await lstat(abs);
      if (link.isSymbolicLink() && !this.isInside(await realpath(abs), await this.realRoot()))
        return undefined;
      const info = link.isSymbolicLink() ? await stat(abs) : link;
      if (info.isDirectory()) return { path: name, isDir: true };
      return info.isFile() ? { path: name, isDir: false, fileSize: info.size } : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** Creates `folder` and its parents, then re-checks it: mkdir may have walked through a link. */
  private async makeFolder(folder: string, path: string): Promise<void> {
    try {
      await mkdir(folder, { recursive: true });
    } catch (err) {
      const code = errorCode(err);
      if (code === 'ENOTDIR' || code === 'EEXIST') {
        throw invalidParameter('path', 'a path whose parent folders are not files', path);
      }
      throw err;
    }
    await this.assertInside(folder, path);
  }

  private realRoot(): Promise<string> {
    this.realRootPromise ??= mkdir(this.root, { recursive: true })
      .then(() => realpath(this.root))
      .catch((err: unknown) => {
        this.realRootPromise = undefined;
        throw err;
      });
    return this.realRootPromise;
  }

  /** The checked relative path and its absolute location (under the real root). */
  private async resolve(path: string): Promise<{ rel: string; abs: string }> {
    const rel = checkArtifactPath(path);
    const root = await this.realRoot();
    const abs = rel === '' ? root : join(root, ...rel.split('/'));
    await this.assertInside(abs, path);
    return { rel, abs };
  }

  /**
   * Refuses `abs` when its real path — or, while it does not exist yet, the real path of its nearest
   * existing ancestor — lies outside the real root (a symbolic link pointing elsewhere).
   */
  private async assertInside(abs: string, path: string): Promise<void> {
    const root = await this.realRoot();
    let current = abs;
    for (;;) {
      try {
        if (this.isInside(await realpath(current), root)) return;
        throw invalidParameter('path', 'a path that stays inside the artifact root', path);
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
      const parent = dirname(current);
      if (parent === current) throw invalidParameter('path', 'a path inside the artifact root', path);
      current = parent;
    }
  }

  private isInside(real: string, root: string): boolean {
    return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
  }
}

/**
 * Opens the folder store for `file:///absolute/path` or a plain path (relative paths resolve against
 * the working directory).
 *
 * @example
 * const store = createFsArtifactStore('file:///home/me/.slipway/artifacts');
 * await store.init();
 */
export function createFsArtifactStore(uri: string): FsArtifactStore {
  if (!/^file:/i.test(uri)) return new FsArtifactStore(resolve(uri));
  let path: string;
  try {
    path = fileURLToPath(uri);
  } catch {
    throw invalidParameter('artifact URI', 'a file:///absolute/path URI', uri);
  }
  return new FsArtifactStore(path);
}
