import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeArtifactStore, readAll } from '../../tracking/artifact-store.suite.js';
import { createFsArtifactStore, FsArtifactStore } from './artifact-store.js';

async function tempFolder(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'slipway-fs-artifacts-'));
}

describeArtifactStore('local folder', async () => {
  const dir = await tempFolder();
  return {
    store: new FsArtifactStore(join(dir, 'artifacts')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('FsArtifactStore', () => {
  let dir: string;
  let root: string;
  let outside: string;
  let store: FsArtifactStore;

  beforeEach(async () => {
    dir = await tempFolder();
    root = join(dir, 'artifacts');
    outside = join(dir, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'secret');
    store = new FsArtifactStore(root);
    await store.init();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has a file:// root URI', () => {
    expect(store.rootUri).toBe(`file://${root}`);
  });

  it('refuses to follow a symbolic link to a folder outside the root', async () => {
    await symlink(outside, join(root, 'escape'));
    const invalid = { code: 'INVALID_PARAMETER_VALUE' };
    await expect(store.get('escape/secret.txt')).rejects.toMatchObject(invalid);
    await expect(store.list('escape')).rejects.toMatchObject(invalid);
    await expect(store.stat('escape/secret.txt')).rejects.toMatchObject(invalid);
    await expect(store.put('escape/new.txt', Buffer.from('x'))).rejects.toMatchObject(invalid);
    await expect(store.put('escape/deeper/new.txt', Buffer.from('x'))).rejects.toMatchObject(invalid);
    await expect(store.delete('escape/secret.txt')).rejects.toMatchObject(invalid);
    expect(await readdir(outside)).toEqual(['secret.txt']);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret');
  });

  it('refuses to follow a symbolic link to a system folder such as /etc', async () => {
    await symlink('/etc', join(root, 'etc'));
    await expect(store.get('etc/passwd')).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(store.list('etc')).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
  });

  it('refuses a symbolic link to a file outside the root and hides it from listings', async () => {
    await symlink(join(outside, 'secret.txt'), join(root, 'secret.txt'));
    await store.put('visible.txt', Buffer.from('v'));
    await expect(store.get('secret.txt')).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(store.put('secret.txt', Buffer.from('overwritten'))).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    });
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('secret');
    expect(await store.list('')).toEqual([{ path: 'visible.txt', isDir: false, fileSize: 1 }]);
  });

  it('follows a symbolic link that stays inside the root', async () => {
    await store.put('real/model.onnx', Buffer.from('onnx'));
    await symlink(join(root, 'real'), join(root, 'alias'));
    expect((await readAll(await store.get('alias/model.onnx'))).toString()).toBe('onnx');
    expect(await store.list('')).toEqual([
      { path: 'alias', isDir: true },
      { path: 'real', isDir: true },
    ]);
  });

  it('works when the root itself is reached through a symbolic link', async () => {
    const linked = new FsArtifactStore(join(dir, 'root-link'));
    await symlink(root, join(dir, 'root-link'));
    await linked.put('a/b.txt', Buffer.from('b'));
    expect((await readAll(await store.get('a/b.txt'))).toString()).toBe('b');
  });

  it('leaves no temp file behind after a write that was too large', async () => {
    await store.put('keep.txt', Buffer.from('old'));
    const big = Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
    await expect(store.put('keep.txt', big, { maxBytes: 1000 })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(await readdir(root)).toEqual(['keep.txt']);
    expect(await readFile(join(root, 'keep.txt'), 'utf8')).toBe('old');
  });

  it('leaves a streamed body that was too large undestroyed for the caller to answer', async () => {
    const body = Readable.from([Buffer.alloc(600), Buffer.alloc(600), Buffer.alloc(600)]);
    await expect(store.put('x.bin', body, { maxBytes: 1000 })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(body.destroyed).toBe(false);
  });

  it('refuses to write a file where a folder is', async () => {
    await store.put('model/MLmodel', Buffer.from('m'));
    await expect(store.put('model', Buffer.from('x'))).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    });
    await expect(store.put('model/MLmodel/x', Buffer.from('x'))).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    });
  });

  it('empties the root but keeps it when the root is deleted', async () => {
    await store.put('a/b.txt', Buffer.from('b'));
    await store.put('c.txt', Buffer.from('c'));
    await store.delete('');
    expect(await readdir(root)).toEqual([]);
    expect(await store.list('')).toEqual([]);
  });
});

describe('createFsArtifactStore', () => {
  it('accepts a file:// URI', () => {
    expect(createFsArtifactStore('file:///var/lib/slipway/artifacts').rootUri).toBe(
      'file:///var/lib/slipway/artifacts',
    );
  });

  it('accepts a plain path and resolves a relative one', () => {
    expect(createFsArtifactStore('/srv/artifacts').rootUri).toBe('file:///srv/artifacts');
    expect(createFsArtifactStore('rel/artifacts').rootUri).toBe(
      `file://${join(process.cwd(), 'rel/artifacts')}`,
    );
  });

  it('refuses a file URI with a remote host', () => {
    expect(() => createFsArtifactStore('file://otherhost/x')).toThrow(/artifact URI/);
  });

  it('refuses a relative root in the constructor', () => {
    expect(() => new FsArtifactStore('relative')).toThrow(/absolute/);
  });
});
