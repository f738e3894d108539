/**
 * Long-running helper processes the agent starts inside a named namespace (the metadata proxies), tracked
 * by PID file like dnsmasq: a PID is only trusted (and signalled) when /proc/<pid>/cmdline contains our
 * marker argument (the process's own config file path), so a recycled PID is never killed.
 */
import { spawn } from 'node:child_process';
import { open, readFile, writeFile } from 'node:fs/promises';
import { wrapArgv } from './exec.js';

/** The PID recorded in `pidFile` if that process is running with `marker` in its command line. */
export async function daemonPid(pidFile: string, marker: string): Promise<number | undefined> {
  const pid = Number.parseInt((await readFile(pidFile, 'utf8').catch(() => '')).trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0').includes(marker) ? pid : undefined;
}

/** The command line (argv) of a running daemon, or undefined. */
export async function daemonArgv(pidFile: string, marker: string): Promise<string[] | undefined> {
  const pid = await daemonPid(pidFile, marker);
  if (pid === undefined) return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return cmdline?.split('\0').filter((s) => s !== '');
}

/**
 * Starts `argv` detached inside `netns` (`ip netns exec` execs it, so the PID is the daemon's), output
 * appended to `logFile`, and records its PID. Resolves once it is spawned (not once it is ready).
 */
export async function spawnDaemon(argv: readonly string[], o: { netns: string; pidFile: string; logFile: string }): Promise<number> {
  const full = wrapArgv(argv, o.netns, undefined);
  const log = await open(o.logFile, 'a', 0o600);
  try {
    const child = spawn(full[0]!, full.slice(1), { detached: true, stdio: ['ignore', log.fd, log.fd] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid!));
    });
    child.unref();
    await writeFile(o.pidFile, `${pid}\n`);
    return pid;
  } finally {
    await log.close();
  }
}

/** Stops the daemon of `pidFile` (SIGTERM, then SIGKILL after `timeoutMs`). Absent = done. */
export async function killDaemon(pidFile: string, marker: string, timeoutMs = 3_000): Promise<boolean> {
  const pid = await daemonPid(pidFile, marker);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await daemonPid(pidFile, marker)) === undefined) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  if ((await daemonPid(pidFile, marker)) !== undefined) process.kill(pid, 'SIGKILL');
  return true;
}
