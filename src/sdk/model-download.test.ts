import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../test/helpers/control-plane.js';
import { isSlipwayError } from '../core/errors.js';
import type { ArtifactEntry } from '../tracking/artifacts.js';
import { Slipway } from './index.js';
import { type ArtifactSource, downloadArtifacts, entryPath } from './model-download.js';
import type { SlipwayClient } from './types.js';

const FIXTURE = join(import.meta.dirname, '../../test/fixtures/models/logreg.onnx');
const MODEL_BYTES = readFileSync(FIXTURE);
const CONFIG = 'threshold: 0.5\n';
/** The event-loop-delay guard refuses requests when a loaded test machine stalls; not under test here. */
const NO_OVERLOAD_GUARD = { overload: { maxEventLoopDelay: 0 } };

/** Rejects with a SlipwayError of `code`; resolves to it for further checks. */
async function expectCode(promise: Promise<unknown>, code: string): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSlipwayError(err), String(err)).toBe(true);
  expect((err as { code: string }).code).toBe(code);
  return err as Error;
}

/** Every file under `dir`, as sorted `/`-separated relative paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(dir.length + 1)
        .split('\\')
        .join('/'),
    )
    .sort();
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `slipway-${prefix}-`));
}

interface Opened {
  client: SlipwayClient;
  close(): Promise<void>;
}

async function openHttp(): Promise<Opened> {
  const plane = await startControlPlane({ listen: true, server: NO_OVERLOAD_GUARD });
  const client = Slipway.connect(plane.url);
  return { client, close: () => plane.close() };
}

async function openLocal(): Promise<Opened> {
  const home = tempDir('sdk-download-home');
  const client = await Slipway.open({ home });
  return {
    client,
    close: async () => {
      await client.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Logs the `model/` folder to a new run and registers it as `churn` versions 1 (folder) and 2 (file). */
async function registerModel(c: SlipwayClient): Promise<string> {
  const run = await c.runs.create({ experimentId: '0' });
  const runId = run.info.runId;
  await c.runs.uploadArtifact(runId, 'model/model.onnx', MODEL_BYTES);
  await c.runs.uploadArtifact(runId, 'model/config.yaml', CONFIG);
  await c.runs.uploadArtifact(runId, 'model/extra/notes.txt', Readable.from([Buffer.from('nested')]));
  await c.models.create({ name: 'churn' });
  await c.models.createVersion({ name: 'churn', source: `runs:/${runId}/model`, runId });
  await c.models.createVersion({ name: 'churn', source: `runs:/${runId}/model/model.onnx`, runId });
  return runId;
}

describe.each([
  ['the HTTP client', openHttp],
  ['the local client', openLocal],
])('downloading model versions through %s', (_name, open) => {
  let opened: Opened;
  let c: SlipwayClient;
  let dest: string;
  let localModel: string;

  beforeAll(async () => {
    opened = await open();
    c = opened.client;
    await registerModel(c);
    localModel = tempDir('sdk-local-model');
    writeFileSync(join(localModel, 'model.onnx'), MODEL_BYTES);
  });
  afterAll(async () => {
    await opened.close();
    rmSync(localModel, { recursive: true, force: true });
  });
  beforeEach(() => {
    dest = tempDir('sdk-download');
  });
  afterEach(() => rmSync(dest, { recursive: true, force: true }));

  it('mirrors a folder version under dest/<folder name>', async () => {
    const path = await c.models.downloadVersion('churn', '1', dest);
    expect(path).toBe(join(dest, 'model'));
    expect(filesUnder(path)).toEqual(['config.yaml', 'extra/notes.txt', 'model.onnx']);
    expect(readFileSync(join(path, 'model.onnx'))).toEqual(MODEL_BYTES);
    expect(readFileSync(join(path, 'config.yaml'), 'utf8')).toBe(CONFIG);
    expect(readFileSync(join(path, 'extra/notes.txt'), 'utf8')).toBe('nested');
    expect(readdirSync(dest)).toEqual(['model']);
  });

  it('replaces an earlier download of the same folder', async () => {
    mkdirSync(join(dest, 'model'));
    writeFileSync(join(dest, 'model', 'stale.bin'), 'from another version');
    const path = await c.models.downloadVersion('churn', '1', dest);
    expect(filesUnder(path)).toEqual(['config.yaml', 'extra/notes.txt', 'model.onnx']);
  });

  it('writes a single-file version as dest/<file name>, creating dest', async () => {
    const nested = join(dest, 'a', 'b');
    const path = await c.models.downloadVersion('churn', '2', nested);
    expect(path).toBe(join(nested, 'model.onnx'));
    expect(readFileSync(path)).toEqual(MODEL_BYTES);
    expect(readdirSync(nested)).toEqual(['model.onnx']);
  });

  it('returns the path of a local version as is, copying nothing', async () => {
    await c.models.createVersion({ name: 'churn', source: pathToFileURL(localModel).href });
    await c.models.createVersion({ name: 'churn', source: join(localModel, 'model.onnx') });
    const versions = (await c.models.searchVersions({ filter: "name = 'churn'" })).items;
    const [byUrl, byPath] = ['3', '4'].map((v) => versions.find((mv) => mv.version === v));
    expect(byUrl?.source).toBe(pathToFileURL(localModel).href);
    expect(byPath?.source).toBe(join(localModel, 'model.onnx'));
    expect(await c.models.downloadVersion('churn', '3', dest)).toBe(localModel);
    expect(await c.models.downloadVersion('churn', '4', dest)).toBe(join(localModel, 'model.onnx'));
    expect(readdirSync(dest)).toEqual([]);
  });

  it('reports a missing local path, version or artifact folder as RESOURCE_DOES_NOT_EXIST', async () => {
    await c.models.create({ name: 'missing' });
    const gone = join(localModel, 'gone.onnx');
    await c.models.createVersion({ name: 'missing', source: pathToFileURL(gone).href });
    const err = await expectCode(c.models.downloadVersion('missing', '1', dest), 'RESOURCE_DOES_NOT_EXIST');
    expect(err.message).toContain(gone);
    await expectCode(c.models.downloadVersion('churn', '99', dest), 'RESOURCE_DOES_NOT_EXIST');
    await expectCode(c.models.downloadVersion('ghost', '1', dest), 'RESOURCE_DOES_NOT_EXIST');
    const run = await c.runs.create({ experimentId: '0' });
    await c.models.createVersion({ name: 'missing', source: `runs:/${run.info.runId}/nothing-here` });
    await expectCode(c.models.downloadVersion('missing', '2', dest), 'RESOURCE_DOES_NOT_EXIST');
    expect(readdirSync(dest)).toEqual([]);
  });

  it('refuses URIs it cannot download', async () => {
    await c.models.create({ name: 'remote' });
    await c.models.createVersion({ name: 'remote', source: 's3://bucket/models/churn' });
    const err = await expectCode(c.models.downloadVersion('remote', '1', dest), 'INVALID_PARAMETER_VALUE');
    expect(err.message).toContain(
      "cannot download artifact URI 's3://bucket/models/churn': only mlflow-artifacts:/ and local paths are supported",
    );
  });
});

describe('downloading through the HTTP client with auth on', () => {
  it('sends its token to the artifact proxy', async () => {
    const plane = await startControlPlane({
      config: {
        auth: {
          tokens: [
            { token: 'writer', role: 'write' },
            { token: 'reader', role: 'read' },
          ],
        },
      },
      server: NO_OVERLOAD_GUARD,
      listen: true,
    });
    const dest = tempDir('sdk-download-auth');
    try {
      await registerModel(Slipway.connect(plane.url, { token: 'writer' }));
      const path = await Slipway.connect(plane.url, { token: 'reader' }).models.downloadVersion(
        'churn',
        '1',
        dest,
      );
      expect(filesUnder(path)).toEqual(['config.yaml', 'extra/notes.txt', 'model.onnx']);
      await expectCode(
        Slipway.connect(plane.url).models.downloadVersion('churn', '1', dest),
        'UNAUTHENTICATED',
      );
    } finally {
      rmSync(dest, { recursive: true, force: true });
      await plane.close();
    }
  });
});

describe('entryPath', () => {
  it('accepts relative paths inside the folder', () => {
    expect(entryPath('model.onnx')).toBe('model.onnx');
    expect(entryPath('extra//./notes.txt')).toBe('extra/notes.txt');
  });

  it.each([
    ['..'],
    ['../../.bashrc'],
    ['a/../../b'],
    ['/etc/passwd'],
    ['C:/Windows'],
    ['a\u0000b'],
    ['%2e%2e/x'],
    [''],
    ['.'],
  ])('refuses %j', (path) => {
    expect(() => entryPath(path)).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }));
  });
});

/** An in-memory store: folders by path, files by path; `got` records what was fetched. */
function fakeSource(folders: Record<string, ArtifactEntry[]>, files: Record<string, Buffer>) {
  const got: string[] = [];
  const source: ArtifactSource = {
    stat: async (path) =>
      folders[path]
        ? { isDir: true, size: 0 }
        : files[path]
          ? { isDir: false, size: files[path].length }
          : undefined,
    list: async (path) => folders[path] ?? [],
    get: async (path) => {
      got.push(path);
      return Readable.from([files[path] ?? Buffer.alloc(0)]);
    },
  };
  return { source, got };
}

describe('downloadArtifacts', () => {
  const uri = 'mlflow-artifacts:/1/run/artifacts/model';
  let dest: string;

  beforeEach(() => {
    dest = tempDir('sdk-download-unit');
  });
  afterEach(() => rmSync(dest, { recursive: true, force: true }));

  it.each([['../../escape.txt'], ['/tmp/escape.txt'], ['a\u0000b']])(
    'refuses a listing entry %j, writing nothing',
    async (path) => {
      const { source, got } = fakeSource(
        { '1/run/artifacts/model': [{ path, isDir: false, fileSize: 1 }] },
        { [`1/run/artifacts/model/${path}`]: Buffer.from('x') },
      );
      await expectCode(downloadArtifacts(uri, join(dest, 'out'), source), 'INVALID_PARAMETER_VALUE');
      expect(got).toEqual([]);
      expect(readdirSync(dest)).toEqual(['out']);
      expect(readdirSync(join(dest, 'out'))).toEqual([]);
    },
  );

  it('refuses a folder whose listing says it is over the limit before fetching anything', async () => {
    const { source, got } = fakeSource(
      { '1/run/artifacts/model': [{ path: 'big.bin', isDir: false, fileSize: 11 }] },
      {},
    );
    await expectCode(downloadArtifacts(uri, dest, source, { maxBytes: 10 }), 'PAYLOAD_TOO_LARGE');
    expect(got).toEqual([]);
  });

  it('stops a download whose bytes pass the limit, keeping the earlier copy', async () => {
    mkdirSync(join(dest, 'model'));
    writeFileSync(join(dest, 'model', 'kept.txt'), 'earlier');
    const { source } = fakeSource(
      {
        '1/run/artifacts/model': [
          { path: 'a.bin', isDir: false, fileSize: 1 },
          { path: 'b.bin', isDir: false, fileSize: 1 },
        ],
      },
      {
        '1/run/artifacts/model/a.bin': Buffer.alloc(6),
        '1/run/artifacts/model/b.bin': Buffer.alloc(6),
      },
    );
    await expectCode(downloadArtifacts(uri, dest, source, { maxBytes: 10 }), 'PAYLOAD_TOO_LARGE');
    expect(readdirSync(dest)).toEqual(['model']);
    expect(filesUnder(join(dest, 'model'))).toEqual(['kept.txt']);
  });

  it('refuses a listing nested without end', async () => {
    const source: ArtifactSource = {
      stat: async () => ({ isDir: true, size: 0 }),
      list: async () => [{ path: 'deeper', isDir: true }],
      get: async () => Readable.from([]),
    };
    await expectCode(downloadArtifacts(uri, dest, source), 'INVALID_PARAMETER_VALUE');
    expect(existsSync(join(dest, 'model'))).toBe(false);
  });
});
