/**
 * Helpers of l3-server.test.ts: is RabbitMQ there, a TCP connect from a namespace (l3-peer.ts), and
 * stopping the metadata proxies an L3 agent left running (they outlive agent restarts by design),
 * each by the PID in its PID file and only when that process's argv names its config file.
 */
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import { metadataPaths } from '../../src/agent/metadata/files.js';
import { sh } from './harness.js';

export function rabbitUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(5672, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** TCP connect from `ns`: the server's answer, or undefined when nothing answered within 2 s. */
export async function tcpFrom(repo: string, ns: string, ip: string, port: number): Promise<string | undefined> {
  try {
    return (await sh(['ip', 'netns', 'exec', ns, process.execPath, '--import', 'tsx', `${repo}test/fullstack/l3-peer.ts`, 'connect', ip, String(port)])).trim();
  } catch {
    return undefined;
  }
}

/** SIGKILLs the metadata proxies under an L3 state dir (<dir>/<router id>/metadata-proxy.pid). */
export async function killMetadataProxies(l3StateDir: string): Promise<void> {
  for (const routerId of await readdir(l3StateDir).catch(() => [] as string[])) {
    const paths = metadataPaths(l3StateDir, routerId);
    const pid = Number((await readFile(paths.pid, 'utf8').catch(() => '')).trim());
    const cmd = pid ? await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '') : '';
    if (cmd.split('\0').includes(paths.config)) process.kill(pid, 'SIGKILL');
  }
}
