/**
 * A committed revision of this repository unpacked into a temp dir (git archive), sharing this
 * checkout's node_modules: the bench can measure a revision while others edit the working tree,
 * and compare two revisions (before/after a change).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Snapshot { root: string; commit: string; remove(): void }

export function snapshot(rev: string): Snapshot {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  const root = mkdtempSync(join(tmpdir(), 'nucleon-bench-rev-'));
  try {
    // git archive writes a tar of the commit's tree; no dist/, so bin/nucleon runs the sources.
    const tar = execFileSync('git', ['archive', '--format=tar', commit], { cwd: REPO_ROOT, maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', root], { input: tar });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return { root, commit, remove: () => rmSync(root, { recursive: true, force: true }) };
}
