/**
 * dnsmasq processes, one per network, identified by PID file (Neutron's approach): spawn inside a
 * namespace, SIGHUP to reload the hosts/opts files, SIGTERM to stop. Only PIDs read from our own PID
 * files are signalled, and only after checking /proc/<pid>/cmdline names that PID file.
 */
import { readFile } from 'node:fs/promises';
import type { Runner } from './exec.js';

export async function readPid(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(pidFile, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The PID of the dnsmasq started with `--pid-file=<pidFile>`, if it is running. */
export async function runningPid(pidFile: string): Promise<number | undefined> {
  const pid = await readPid(pidFile);
  if (pid === undefined) return undefined;
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return cmdline.includes(`--pid-file=${pidFile}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts dnsmasq (argv[0] = the binary; it daemonises and writes its PID file) inside `netns`. */
export async function spawnDnsmasq(r: Runner, argv: readonly string[], netns: string): Promise<void> {
  await r.run(argv, { netns, timeoutMs: 15_000 });
}

export async function hupDnsmasq(pidFile: string): Promise<boolean> {
  const pid = await runningPid(pidFile);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGHUP');
  return true;
}

/** Stops the dnsmasq of `pidFile` and waits for it to exit. Absent = done. */
export async function killDnsmasq(pidFile: string, timeoutMs = 5_000): Promise<void> {
  const pid = await runningPid(pidFile);
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await runningPid(pidFile)) === undefined) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  if ((await runningPid(pidFile)) !== undefined) process.kill(pid, 'SIGKILL');
}
