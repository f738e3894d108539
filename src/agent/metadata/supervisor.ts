/**
 * Keeps one metadata proxy process and its two files right: used by the router ops (one per
 * `qrouter-`) and the DHCP ops (one per `qdhcp-` serving isolated metadata). The instance map
 * changing needs no restart (the proxy re-reads it); a changed config or command line does.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { daemonArgv, killDaemon, spawnDaemon } from '../linux/daemon.js';
import type { Logger } from '../reconciler.js';
import { proxyArgv, type MetadataPaths } from './files.js';

export interface MetadataActual {
  config?: string;
  instances?: string;
  /** argv of the running proxy, if any. */
  running?: string[];
}

export type MetadataAction = { op: 'write'; file: 'config' | 'instances'; content: string } | { op: 'spawn' | 'restart' | 'kill' };

/** Pure: the proxy's files and process; `want` null: no proxy. */
export function planMetadata(want: { config: string; instances: string; argv: string[] } | null, a: MetadataActual): MetadataAction[] {
  if (!want) return a.running ? [{ op: 'kill' }] : [];
  const out: MetadataAction[] = [];
  if (a.instances !== want.instances) out.push({ op: 'write', file: 'instances', content: want.instances });
  const configChanged = a.config !== want.config;
  if (configChanged) out.push({ op: 'write', file: 'config', content: want.config });
  if (!a.running) out.push({ op: 'spawn' });
  else if (configChanged || a.running.join('\0') !== want.argv.join('\0')) out.push({ op: 'restart' });
  return out;
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

async function replaceFile(path: string, content: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, path);
}

export interface ProxyWant {
  enabled: boolean;
  paths: MetadataPaths;
  /** The two files' content; rendered only when enabled (a pass over a network without metadata reads the PID file alone). */
  render(): { config: string; instances: string };
  /** The namespace it runs in. */
  netns: string;
  /** Log fields naming what it serves ({ router } or { network }). */
  logFields: Record<string, string>;
}

/** Brings the proxy to `w`; the number of changes made (0 when right). */
export async function reconcileProxy(w: ProxyWant, log?: Logger): Promise<number> {
  const { paths } = w;
  const argv = proxyArgv(paths.config);
  const running = await daemonArgv(paths.pid, paths.config);
  const want = w.enabled ? { ...w.render(), argv } : null;
  const actual: MetadataActual = want ? { config: await readOrUndefined(paths.config), instances: await readOrUndefined(paths.instances), running } : { running };
  const actions = planMetadata(want, actual);
  for (const a of actions) {
    if (a.op === 'write') {
      await mkdir(paths.dir, { recursive: true, mode: 0o700 });
      // The config holds the shared secret.
      await replaceFile(paths[a.file], a.content, a.file === 'config' ? 0o600 : 0o644);
    } else if (a.op === 'kill') {
      await killDaemon(paths.pid, paths.config);
    } else {
      if (a.op === 'restart') await killDaemon(paths.pid, paths.config);
      await mkdir(paths.dir, { recursive: true, mode: 0o700 });
      const pid = await spawnDaemon(argv, { netns: w.netns, pidFile: paths.pid, logFile: paths.log });
      log?.info({ ...w.logFields, pid }, 'metadata proxy started');
    }
  }
  return actions.length;
}

/** Stops the proxy of `paths` if it runs; whether it did. */
export function stopProxy(paths: MetadataPaths): Promise<boolean> {
  return killDaemon(paths.pid, paths.config);
}
