/**
 * Helpers of l3-server.test.ts: is RabbitMQ there, and a TCP connect from a namespace (l3-peer.ts).
 * The metadata proxies agents leave running are stopped by Topology.destroy (harness.ts).
 */
import net from 'node:net';
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

