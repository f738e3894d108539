/**
 * Where a metadata proxy keeps its files (one directory per router or DHCP network), their content,
 * and the command line that starts it. Pure except for locating this module (the entry is a sibling:
 * .ts under tsx in development, .js when built).
 */
import type { MetadataInstance, RouterState } from '../../hoststate/l3.js';
import type { DhcpNetworkState } from '../../hoststate/types.js';
import type { DhcpConfig, L3Config } from '../config.js';
import type { MetadataProxyConfig } from './proxy.js';

export interface MetadataPaths {
  dir: string;
  config: string;
  instances: string;
  pid: string;
  log: string;
}

/** `id`: the router's, or the network's (under the DHCP state directory, beside dnsmasq's files). */
export function metadataPaths(stateDir: string, id: string): MetadataPaths {
  const dir = `${stateDir}/${id}`;
  return { dir, config: `${dir}/metadata-proxy.json`, instances: `${dir}/instances.json`, pid: `${dir}/metadata-proxy.pid`, log: `${dir}/metadata-proxy.log` };
}

/** Stable JSON: unchanged desired state → identical bytes. */
const stable = (c: MetadataProxyConfig) => `${JSON.stringify(c, null, 2)}\n`;

/** A router's proxy: 169.254.169.254:80 is redirected to metadata_port; Nova is reached through the gateway. */
export function renderProxyConfig(routerId: string, cfg: L3Config, paths: MetadataPaths): string {
  return stable({ name: `router ${routerId}`, listenPort: cfg.metadataPort, instancesFile: paths.instances, upstream: cfg.metadata });
}

/** Where an isolated network's proxy listens, as Neutron's haproxy in the DHCP namespace. */
export const METADATA_ADDRESS = '169.254.169.254';

/** A DHCP namespace's proxy: on 169.254.169.254:80 itself, to Nova through the agent's relay socket. */
export function renderDhcpProxyConfig(networkId: string, cfg: DhcpConfig, paths: MetadataPaths): string {
  return stable({
    name: `network ${networkId}`, listenHost: METADATA_ADDRESS, listenPort: 80, upstreamSocket: cfg.metadataProxySocket,
    instancesFile: paths.instances, upstream: cfg.metadata,
  });
}

/** The instance map file: keys sorted so the server's order does not matter. */
export function renderInstances(map: Record<string, MetadataInstance>): string {
  const sorted = Object.fromEntries(Object.keys(map).sort().map((ip) => [ip, map[ip]]));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

export const routerInstances = (r: RouterState): string => renderInstances(r.metadata);

/** An isolated network's instances: its compute ports' addresses (as a router's map holds them). */
export function dhcpInstances(net: DhcpNetworkState): string {
  const map: Record<string, MetadataInstance> = {};
  for (const h of net.hosts) {
    if (!h.device_owner.startsWith('compute:')) continue;
    for (const f of h.fixed_ips) map[f.ip_address] = { device_id: h.device_id, project_id: h.project_id };
  }
  return renderInstances(map);
}

/** argv starting the proxy with `configFile` (the PID check's marker). */
export function proxyArgv(configFile: string): string[] {
  const here = new URL(import.meta.url);
  const isTs = here.pathname.endsWith('.ts');
  const entry = new URL(`./proxy-main.${isTs ? 'ts' : 'js'}`, here).pathname;
  return [process.execPath, ...(isTs ? ['--import', import.meta.resolve('tsx')] : []), entry, configFile];
}
