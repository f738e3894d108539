/**
 * Where a router's metadata proxy keeps its files, and the command line that starts it. Pure except for
 * locating this module (the entry is a sibling: .ts under tsx in development, .js when built).
 */
import type { RouterState } from '../../hoststate/l3.js';
import type { L3Config } from '../config.js';
import type { MetadataProxyConfig } from './proxy.js';

export interface MetadataPaths {
  dir: string;
  config: string;
  instances: string;
  pid: string;
  log: string;
}

export function metadataPaths(stateDir: string, routerId: string): MetadataPaths {
  const dir = `${stateDir}/${routerId}`;
  return { dir, config: `${dir}/metadata-proxy.json`, instances: `${dir}/instances.json`, pid: `${dir}/metadata-proxy.pid`, log: `${dir}/metadata-proxy.log` };
}

/** The proxy's config file content (stable JSON: unchanged desired state → identical bytes). */
export function renderProxyConfig(routerId: string, cfg: L3Config, paths: MetadataPaths): string {
  const c: MetadataProxyConfig = { routerId, listenPort: cfg.metadataPort, instancesFile: paths.instances, upstream: cfg.metadata };
  return `${JSON.stringify(c, null, 2)}\n`;
}

/** The instance map file: keys sorted so the server's order does not matter. */
export function renderInstances(r: RouterState): string {
  const sorted = Object.fromEntries(Object.keys(r.metadata).sort().map((ip) => [ip, r.metadata[ip]]));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

/** argv starting the proxy with `configFile` (the PID check's marker). */
export function proxyArgv(configFile: string): string[] {
  const here = new URL(import.meta.url);
  const isTs = here.pathname.endsWith('.ts');
  const entry = new URL(`./proxy-main.${isTs ? 'ts' : 'js'}`, here).pathname;
  return [process.execPath, ...(isTs ? ['--import', import.meta.resolve('tsx')] : []), entry, configFile];
}
