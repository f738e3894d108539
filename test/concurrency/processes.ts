/**
 * Real `nucleon server` processes for the concurrency tests: a temp neutron.conf on a given
 * database, `nucleon db upgrade`, servers on ephemeral ports (stopped by PID), and a keep-alive
 * JSON client with a bound on requests in flight.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';

const NUCLEON = fileURLToPath(new URL('../../bin/nucleon', import.meta.url));

export interface ConfDir { file: string; remove(): void }

export function writeConfig(text: string): ConfDir {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-conc-'));
  const file = join(dir, 'neutron.conf');
  writeFileSync(file, text);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function runNucleon(args: string[], timeoutMs = 120_000): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [NUCLEON, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}

export interface ServerProcess {
  url: string;
  pid: number;
  output(): string;
  /** SIGTERM by PID, SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `nucleon server` and resolves once its "ready" log line names the URL it listens on. */
export function startServer(configFile: string, timeoutMs = 60_000): Promise<ServerProcess> {
  const proc: ChildProcess = spawn(process.execPath, [NUCLEON, 'server', '--config-file', configFile, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.on('exit', () => { exited = true; resolve(); }));
  const stop = async (graceMs = 10_000) => {
    if (exited || !proc.pid) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => { if (!exited) proc.kill('SIGKILL'); }, graceMs);
    await exit;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { void stop(0); reject(new Error(`server not ready after ${timeoutMs} ms:\n${text}`)); }, timeoutMs);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const ready = text.split('\n').find((l) => l.includes('"msg":"ready"'));
      const m = ready?.match(/"url":"(http:\/\/[^"]+)"/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], pid: proc.pid!, output: () => text, stop });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    void exit.then(() => { clearTimeout(timer); reject(new Error(`server exited before ready:\n${text}`)); });
  });
}

export interface JsonResponse { status: number; body: any }

/** A JSON client for one server: keep-alive sockets, admin caller by default (noauth headers). */
export function client(baseUrl: string, maxSockets = 25) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const base = new URL(baseUrl);
  return {
    request(method: string, path: string, body?: unknown, headers: Record<string, string> = { 'x-project-id': 'admin-project', 'x-roles': 'admin,member,reader' }): Promise<JsonResponse> {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = http.request({
          agent, host: base.hostname, port: base.port, method, path,
          headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let parsed: unknown = text;
            try { parsed = text ? JSON.parse(text) : undefined; } catch { /* keep the text */ }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}

/** Runs `tasks` with at most `limit` in flight; results in task order. */
export async function bounded<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
