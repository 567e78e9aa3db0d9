import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceTags, withMetricDefaults, withSourceTags } from './run-defaults.js';

const dirs: string[] = [];
function gitRepo(dirty: boolean): { dir: string; commit: string } {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-git-'));
  dirs.push(dir);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q');
  writeFileSync(join(dir, 'train.py'), 'print(1)\n');
  git('add', '.');
  git('-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-qm', 'first');
  if (dirty) writeFileSync(join(dir, 'train.py'), 'print(2)\n');
  return { dir, commit: git('rev-parse', 'HEAD') };
}
const tag = (tags: { key: string; value: string }[], key: string) => tags.find((t) => t.key === key)?.value;

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('run source tags', () => {
  it('record the git commit of a clean checkout and mark it not dirty', () => {
    const { dir, commit } = gitRepo(false);
    const tags = sourceTags(dir);
    expect(tag(tags, 'mlflow.source.git.commit')).toBe(commit);
    expect(tag(tags, 'slipway.source.git.dirty')).toBe('false');
    expect(tag(tags, 'mlflow.source.type')).toBe('LOCAL');
    expect(tag(tags, 'mlflow.user')).toBeTruthy();
  });

  it('mark a checkout with uncommitted changes as dirty', () => {
    const { dir, commit } = gitRepo(true);
    const tags = sourceTags(dir);
    expect(tag(tags, 'mlflow.source.git.commit')).toBe(commit);
    expect(tag(tags, 'slipway.source.git.dirty')).toBe('true');
  });

  it('leave out git tags outside a checkout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-nogit-'));
    dirs.push(dir);
    expect(tag(sourceTags(dir), 'mlflow.source.git.commit')).toBeUndefined();
  });

  it('never override a tag the caller set', () => {
    const tags = withSourceTags([{ key: 'mlflow.user', value: 'alice' }]);
    expect(tags.filter((t) => t.key === 'mlflow.user')).toEqual([{ key: 'mlflow.user', value: 'alice' }]);
  });
});

describe('metric defaults', () => {
  it('fill in a missing timestamp and step but keep given ones', () => {
    const [a, b] = withMetricDefaults([
      { key: 'a', value: 1 } as never,
      { key: 'b', value: 2, timestamp: 5, step: 3 },
    ])!;
    expect(a.step).toBe(0);
    expect(a.timestamp).toBeGreaterThan(0);
    expect(b).toEqual({ key: 'b', value: 2, timestamp: 5, step: 3 });
  });
});
