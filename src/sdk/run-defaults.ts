/**
 * What the SDK fills in for the caller, as the MLflow client does: metric timestamps and steps, and
 * on new runs the tags that make them reproducible — who ran it, from which script, at which git
 * commit, and whether the working tree had uncommitted changes.
 */
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Tag } from '../core/types.js';
import { type Metric, SYSTEM_TAGS } from '../tracking/types.js';

/** The time now and step 0 for metrics that leave them out (the API itself requires both). */
export function withMetricDefaults(metrics: Metric[] | undefined): Metric[] | undefined {
  const now = Date.now();
  return metrics?.map((m) => ({ ...m, timestamp: m.timestamp ?? now, step: m.step ?? 0 }));
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null; // not a git checkout, or git is not installed
  }
}

/** Per working directory: git is asked once per process, not on every run. */
const cachedSource = new Map<string, Tag[]>();

/** The source tags of this process: user, entry script, and git commit + dirty flag when in a checkout. */
export function sourceTags(cwd = process.cwd()): Tag[] {
  const cached = cachedSource.get(cwd);
  if (cached) return cached;
  const tags: Tag[] = [{ key: SYSTEM_TAGS.user, value: safeUser() }];
  if (process.argv[1]) tags.push({ key: SYSTEM_TAGS.sourceName, value: resolve(process.argv[1]) });
  tags.push({ key: 'mlflow.source.type', value: 'LOCAL' });
  const commit = git(['rev-parse', 'HEAD'], cwd);
  if (commit) {
    tags.push({ key: SYSTEM_TAGS.gitCommit, value: commit });
    tags.push({
      key: SYSTEM_TAGS.gitDirty,
      value: String((git(['status', '--porcelain'], cwd) ?? '') !== ''),
    });
  }
  cachedSource.set(cwd, tags);
  return tags;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The caller's tags, plus the source tags it did not set itself. */
export function withSourceTags(tags: Tag[] | undefined): Tag[] {
  const given = new Set((tags ?? []).map((t) => t.key));
  return [...(tags ?? []), ...sourceTags().filter((t) => !given.has(t.key))];
}
