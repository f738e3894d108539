/**
 * The one place the agent spawns processes (DESIGN.md §3.6: async only, never sync).
 *
 * A {@link Runner} runs an argv with a timeout and captures its output. Where it runs:
 * - `netns` undefined: in the agent's *host* namespace. On a real host that is the process's own
 *   namespace; for a simulated host (test/fullstack) the runner is created with `hostNetns` = a netns
 *   file path and every such command is prefixed with `nsenter --net=<path>`.
 * - `netns` = a name (`qdhcp-<net>`): `ip netns exec <name> ...`, resolved through /run/netns of the
 *   agent's mount namespace (a simulated host gets a private one).
 */
import { execFile } from 'node:child_process';

export interface RunOptions {
  /** Named namespace (ip netns) to run in; default: the host namespace. */
  netns?: string;
  /** Written to the child's stdin (for `ip -batch -`). */
  input?: string;
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** A command failed: carries the full command line and stderr so logs and reports are actionable. */
export class ExecError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly stdout: string,
    readonly signal: string | null = null,
  ) {
    const why = signal ? `killed by ${signal}` : `exit code ${exitCode}`;
    super(`command failed (${why}): ${argv.join(' ')}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
    this.name = 'ExecError';
  }
}

export interface Runner {
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
}

export interface RunnerOptions {
  /** Path of the host network namespace file (simulated hosts); undefined = this process's namespace. */
  hostNetns?: string;
  defaultTimeoutMs?: number;
  /** Called for every command before it runs (debug logging). */
  onCommand?: (argv: readonly string[], input?: string) => void;
}

/** Builds the argv actually executed, applying the namespace rules above. Pure; exported for tests. */
export function wrapArgv(argv: readonly string[], netns: string | undefined, hostNetns: string | undefined): string[] {
  if (netns !== undefined) return ['ip', 'netns', 'exec', netns, ...argv];
  if (hostNetns !== undefined) return ['nsenter', `--net=${hostNetns}`, '--', ...argv];
  return [...argv];
}

export function createRunner(options: RunnerOptions = {}): Runner {
  const defaultTimeout = options.defaultTimeoutMs ?? 30_000;
  return {
    run(argv, opts = {}) {
      const full = wrapArgv(argv, opts.netns, options.hostNetns);
      options.onCommand?.(full, opts.input);
      return new Promise<RunResult>((resolve, reject) => {
        const child = execFile(
          full[0]!,
          full.slice(1),
          { timeout: opts.timeoutMs ?? defaultTimeout, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
          (err, stdout, stderr) => {
            if (!err) return resolve({ stdout, stderr });
            const e = err as NodeJS.ErrnoException & { code?: number | string; signal?: string | null };
            const code = typeof e.code === 'number' ? e.code : null;
            const extra = typeof e.code === 'string' ? `${e.code} ${e.message}` : '';
            reject(new ExecError(full, code, stderr || extra, stdout, e.signal ?? null));
          },
        );
        if (opts.input !== undefined) child.stdin?.end(opts.input);
        else child.stdin?.end();
      });
    },
  };
}
