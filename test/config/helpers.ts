// Temporary config files for tests.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';

/** A temp directory removed after the test file; write(name, text) returns the path. */
export function tempConfigDir() {
  const root = mkdtempSync(join(tmpdir(), 'nucleon-config-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  return {
    root,
    write(name: string, text: string): string {
      const p = join(root, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
      return p;
    },
  };
}
