/**
 * Runs `bin/nucleon` as a child process for the command tests (and test/cli): spawn with output
 * captured line by line, wait for a line, stop by PID, and `nucleon up` on a temp data dir.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NUCLEON = fileURLToPath(new URL('../../bin/nucleon', import.meta.url));
export const SEED_CONFIGS = fileURLToPath(new URL('../../../shared/seed-configs/', import.meta.url));

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

export interface Child {
  proc: ChildProcess;
  /** Everything written so far (stdout and stderr interleaved). */
  output(): string;
  /** Resolves with the first line (already seen or to come) matching `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<Exit>;
  /** Sends `signal` (by PID) unless the process has exited; resolves when it has. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

export function spawnNucleon(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, [NUCLEON, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const w of [...waiters]) {
      const m = text.match(w.re);
      if (m) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  let done = false;
  const exited = new Promise<Exit>((resolve) => proc.on('exit', (code, signal) => { done = true; resolve({ code, signal }); }));
  return {
    proc,
    output: () => text,
    exited,
    waitFor(re, timeoutMs = 30_000) {
      const m = text.match(re);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; output:\n${text}`)), timeoutMs);
        waiters.push({ re, resolve: (x) => { clearTimeout(timer); resolve(x); } });
        exited.then((e) => { clearTimeout(timer); reject(new Error(`exited (${e.code ?? e.signal}) before ${re}; output:\n${text}`)); });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (!done && proc.pid) proc.kill(signal);
      return exited;
    },
  };
}

export interface Result { code: number; stdout: string; stderr: string }

/** Runs a short nucleon command to completion. */
export function runNucleon(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [NUCLEON, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface Up {
  child: Child;
  url: string;
  dataDir: string;
  /** Stops the server (SIGTERM) and removes the data dir. */
  close(): Promise<Exit>;
}

/** `nucleon up` on a fresh temp data dir and a free port; resolves once it prints its URL. */
export async function startUp(extraArgs: string[] = []): Promise<Up> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-up-'));
  const child = spawnNucleon(['up', '--data-dir', dataDir, '--port', '0', ...extraArgs]);
  let url: string;
  try {
    url = (await child.waitFor(/Nucleon is up at (http:\/\/\S+)/))[1]!;
  } catch (err) {
    await child.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    child, url, dataDir,
    async close() {
      const exit = await child.stop('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
      return exit;
    },
  };
}
