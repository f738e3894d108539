/**
 * The bench client's malloc, kept from handing memory back to the kernel after every answer.
 *
 * With glibc's defaults the client trims its heap once an answer's buffers are freed, and the next
 * answer faults the same pages in again. On a VM where a first touch is dear (a 1,000-port list is
 * 700 KB; faulting it in took 4-5 ms of a 14 ms list on the machines of bench/README.md), that is
 * the client's cost, not the server's, and it hid the server's figures. So the bench runs itself
 * again with glibc's trim and mmap thresholds raised (GLIBC_TUNABLES; other C libraries ignore
 * it), and starts the server with the environment it was given: the server runs as a user runs it.
 */
import { spawn } from 'node:child_process';

const CLIENT_TUNABLES = 'glibc.malloc.trim_threshold=268435456:glibc.malloc.mmap_threshold=16777216';
/** Set in the re-run bench: GLIBC_TUNABLES as the bench was started ('' when unset). */
const STARTED_WITH = 'NUCLEON_BENCH_STARTED_GLIBC_TUNABLES';

/** The `--client-malloc` option of the bench commands that drive a server (run.ts, list-steps.ts). */
export const CLIENT_MALLOC_OPTION = { 'client-malloc': { type: 'string', default: 'tuned' } } as const;

/**
 * Acts on `--client-malloc`: 'tuned' runs this bench again with the client's tunables and resolves
 * to its exit code (undefined when this process already is that run), 'default' goes on as it is,
 * anything else is a usage error (exit code 2).
 */
export function applyClientMalloc(mode: string | undefined): Promise<number> | undefined {
  if (mode === 'default') return undefined;
  if (mode !== 'tuned') { console.error('--client-malloc takes tuned or default'); return Promise.resolve(2); }
  return rerunWithClientMalloc();
}

function rerunWithClientMalloc(): Promise<number> | undefined {
  if (process.env[STARTED_WITH] !== undefined) return undefined;
  const started = process.env.GLIBC_TUNABLES ?? '';
  const env = { ...process.env, [STARTED_WITH]: started, GLIBC_TUNABLES: started ? `${started}:${CLIENT_TUNABLES}` : CLIENT_TUNABLES };
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** The environment for the server process: the bench's own, with GLIBC_TUNABLES as it was started. */
export function serverEnv(): NodeJS.ProcessEnv {
  const started = process.env[STARTED_WITH];
  if (started === undefined) return process.env;
  const { [STARTED_WITH]: _, GLIBC_TUNABLES: __, ...env } = process.env;
  return started ? { ...env, GLIBC_TUNABLES: started } : env;
}
