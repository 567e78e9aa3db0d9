import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configFromEnv, loadConfig, parseConfigFile } from './config-loader.js';

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeYaml = (text: string) => writeFileSync(join(dir, 'slipway.yaml'), text);

  it('falls back to the defaults when nothing is given', () => {
    const config = loadConfig({ flags: {}, env: {}, cwd: dir });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(5000);
    expect(config.home).toBe(join(dir, '.slipway'));
    expect(config.backendStoreUri).toBe(`sqlite:///${join(dir, '.slipway')}/slipway.db`);
    expect(config.auth.tokens).toEqual([]);
  });

  it('reads ./slipway.yaml over the defaults', () => {
    writeYaml('port: 5100\nhost: 0.0.0.0\n');
    const config = loadConfig({ flags: {}, env: {}, cwd: dir });
    expect(config.port).toBe(5100);
    expect(config.host).toBe('0.0.0.0');
  });

  it('lets the environment win over the file', () => {
    writeYaml('port: 5100\nlog-level: debug\n');
    const config = loadConfig({ flags: {}, env: { SLIPWAY_PORT: '5200' }, cwd: dir });
    expect(config.port).toBe(5200);
    expect(config.logLevel).toBe('debug');
  });

  it('lets flags win over the environment and the file', () => {
    writeYaml('port: 5100\n');
    const config = loadConfig({ flags: { port: 5300 }, env: { SLIPWAY_PORT: '5200' }, cwd: dir });
    expect(config.port).toBe(5300);
  });

  it('reads the file named by --config instead of ./slipway.yaml', () => {
    writeYaml('port: 5100\n');
    writeFileSync(join(dir, 'other.yaml'), 'port: 5400\n');
    expect(loadConfig({ flags: {}, env: {}, cwd: dir, configPath: 'other.yaml' }).port).toBe(5400);
  });

  it('fails naming the path when the --config file is missing', () => {
    expect(() => loadConfig({ flags: {}, env: {}, cwd: dir, configPath: 'nope.yaml' })).toThrow(/nope\.yaml/);
  });

  it('resolves a relative home in the file against the file, and in flags against the working folder', () => {
    writeFileSync(join(dir, 'other.yaml'), 'home: data\n');
    expect(loadConfig({ flags: {}, env: {}, cwd: '/', configPath: join(dir, 'other.yaml') }).home).toBe(
      join(dir, 'data'),
    );
    expect(loadConfig({ flags: { home: 'mine' }, env: {}, cwd: dir }).home).toBe(join(dir, 'mine'));
  });

  it('merges S3 settings field by field across layers', () => {
    writeYaml('s3:\n  region: eu-west-1\n  force-path-style: true\n');
    const config = loadConfig({ flags: {}, env: { AWS_ENDPOINT_URL: 'http://minio:9000' }, cwd: dir });
    expect(config.s3).toEqual({ region: 'eu-west-1', forcePathStyle: true, endpoint: 'http://minio:9000' });
  });

  it('takes tokens from SLIPWAY_AUTH_TOKENS over the file', () => {
    writeYaml('auth:\n  tokens:\n    - {token: file-token, role: read}\n');
    const config = loadConfig({ flags: {}, env: { SLIPWAY_AUTH_TOKENS: 'admin:env-token' }, cwd: dir });
    expect(config.auth.tokens).toEqual([{ token: 'env-token', role: 'admin' }]);
  });
});

describe('parseConfigFile', () => {
  it('accepts kebab-case and camelCase keys alike', () => {
    const layer = parseConfigFile(
      'backend-store-uri: postgresql://db/slipway\nartifactsDestination: s3://bucket/prefix\nmax-upload-bytes: 1024\n',
      '/etc/slipway.yaml',
    );
    expect(layer).toEqual({
      backendStoreUri: 'postgresql://db/slipway',
      artifactsDestination: 's3://bucket/prefix',
      maxUploadBytes: 1024,
    });
  });

  it('reads auth tokens with their roles and names', () => {
    const layer = parseConfigFile(
      'auth:\n  tokens:\n    - token: s3cret\n      role: admin\n    - {token: viewer, role: read, name: ci}\n',
      'slipway.yaml',
    );
    expect(layer.auth?.tokens).toEqual([
      { token: 's3cret', role: 'admin' },
      { token: 'viewer', role: 'read', name: 'ci' },
    ]);
  });

  it('rejects an unknown key, naming it', () => {
    expect(() => parseConfigFile('prot: 5000\n', 'slipway.yaml')).toThrow(
      /Unknown key 'prot' in slipway\.yaml/,
    );
  });

  it('rejects an unknown nested key with its full path', () => {
    expect(() => parseConfigFile('s3:\n  bucket: x\n', 'slipway.yaml')).toThrow(/Unknown key 's3\.bucket'/);
  });

  it('rejects a token with an unknown role', () => {
    expect(() => parseConfigFile('auth:\n  tokens:\n    - {token: t, role: root}\n', 'slipway.yaml')).toThrow(
      /auth\.tokens\[0\]\.role/,
    );
  });

  it('rejects a port that is not a number', () => {
    expect(() => parseConfigFile('port: lots\n', 'slipway.yaml')).toThrow(/'port'/);
  });

  it('reports YAML syntax errors with the file name', () => {
    expect(() => parseConfigFile('port: [5000\n', 'slipway.yaml')).toThrow(/Could not parse slipway\.yaml/);
  });

  it('treats an empty file as no settings', () => {
    expect(parseConfigFile('', 'slipway.yaml')).toEqual({});
  });
});

describe('configFromEnv', () => {
  it('reads the SLIPWAY_ variables and the S3 variables MLflow and AWS tools use', () => {
    const layer = configFromEnv(
      {
        SLIPWAY_HOST: '0.0.0.0',
        SLIPWAY_HOME: 'data',
        SLIPWAY_MAX_UPLOAD_BYTES: '2048',
        SLIPWAY_LOG_LEVEL: 'warn',
        MLFLOW_S3_ENDPOINT_URL: 'http://minio:9000',
        AWS_ENDPOINT_URL: 'http://ignored:9000',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'key',
        AWS_SECRET_ACCESS_KEY: 'secret',
      },
      '/srv',
    );
    expect(layer).toEqual({
      host: '0.0.0.0',
      home: '/srv/data',
      maxUploadBytes: 2048,
      logLevel: 'warn',
      s3: {
        endpoint: 'http://minio:9000',
        region: 'us-east-1',
        accessKeyId: 'key',
        secretAccessKey: 'secret',
      },
    });
  });

  it('treats empty variables as unset', () => {
    expect(configFromEnv({ SLIPWAY_PORT: '', SLIPWAY_HOST: ' ' }, '/')).toEqual({});
  });

  it('names the variable when its value is wrong', () => {
    expect(() => configFromEnv({ SLIPWAY_PORT: 'http' }, '/')).toThrow(/SLIPWAY_PORT/);
    expect(() => configFromEnv({ SLIPWAY_LOG_LEVEL: 'loud' }, '/')).toThrow(/SLIPWAY_LOG_LEVEL/);
  });
});
