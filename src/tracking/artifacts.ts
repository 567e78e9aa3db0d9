import type { Readable } from 'node:stream';

export interface ArtifactEntry {
  /** Path relative to the listed folder (a file or folder name). */
  path: string;
  isDir: boolean;
  /** Size in bytes, files only. */
  fileSize?: number;
}

/**
 * Where artifacts (models, datasets, reports) live. Paths are `/`-separated, relative to the store's
 * root, and must have passed `checkArtifactPath` (see artifact-path.ts) — implementations check again
 * and refuse anything that would resolve outside the root.
 */
export interface ArtifactStore {
  /** The store's root URI, e.g. `file:///home/me/.slipway/artifacts` or `s3://bucket/prefix`. */
  readonly rootUri: string;
  init(): Promise<void>;
  close(): Promise<void>;
  /** Writes a file, creating parent folders; `maxBytes` aborts with PAYLOAD_TOO_LARGE beyond it. */
  put(path: string, body: Readable | Buffer, opts?: { maxBytes?: number }): Promise<{ size: number }>;
  /** Streams a file; RESOURCE_DOES_NOT_EXIST when it is missing or a folder. */
  get(path: string): Promise<Readable>;
  /** `undefined` when nothing is at `path`. */
  stat(path: string): Promise<{ isDir: boolean; size: number } | undefined>;
  /** Immediate children of a folder, sorted by path; empty when the folder does not exist. */
  list(path: string): Promise<ArtifactEntry[]>;
  /** Removes a file or a whole folder; no error when nothing is there. */
  delete(path: string): Promise<void>;
}
