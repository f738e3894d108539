/**
 * Pure rendering of one network's dnsmasq configuration, following Neutron's dnsmasq driver
 * (neutron/agent/linux/dhcp.py): command line, hosts file (static leases), opts file (per-subnet and
 * per-port options) and addn_hosts. The ops layer writes the files atomically and HUPs or restarts.
 */
import type { DhcpHostState, DhcpNetworkState, DhcpSubnetState } from '../../hoststate/types.js';
import type { DhcpConfig } from '../config.js';
import { cidrNetwork, ipVersionOf, prefixToNetmask } from './ip-util.js';

export const METADATA_CIDR = '169.254.169.254/32';
const WIN2K3_STATIC_DNS = 249;
const CLIENT_ID_NAMES = new Set(['client-id', '61']);
/** Ports that never get a DHCP entry (Neutron's port_requires_dhcp_configuration). */
const NO_DHCP_OWNERS = new Set(['network:router_ha_interface', 'network:floatingip', 'network:dhcp', 'network:router_interface_distributed']);

export interface DnsmasqPaths {
  dir: string;
  hosts: string;
  opts: string;
  addnHosts: string;
  leases: string;
  pid: string;
}

export function dnsmasqPaths(stateDir: string, networkId: string): DnsmasqPaths {
  const dir = `${stateDir.replace(/\/+$/, '')}/${networkId}`;
  return { dir, hosts: `${dir}/host`, opts: `${dir}/opts`, addnHosts: `${dir}/addn_hosts`, leases: `${dir}/leases`, pid: `${dir}/pid` };
}

export interface DnsmasqRender {
  /** Arguments after the binary name. */
  args: string[];
  hosts: string;
  opts: string;
  addnHosts: string;
  /** False when no subnet has DHCP enabled: no dnsmasq should run. */
  enabled: boolean;
}

const subnetTag = (id: string) => `subnet-${id}`;
const portTag = (id: string) => `port-${id}`;

function leaseArg(cfg: DhcpConfig): string {
  return cfg.leaseDuration === -1 ? 'infinite' : `${cfg.leaseDuration}s`;
}

function formatOption(ipVersion: 4 | 6, tag: string, option: string, ...values: string[]): string {
  let opt = option.split('\n', 1)[0]!;
  // An option may carry its own tag: "tag:foo,name".
  const m = /^(tag:(.*),)?(.*)$/.exec(opt)!;
  opt = m[3]!;
  const name = ipVersion === 6 ? `option6:${opt}` : /^\d+$/.test(opt) ? opt : `option:${opt}`;
  const tags = m[1] ? [`tag:${tag}`, m[1].slice(0, -1), name] : [`tag:${tag}`, name];
  return [...tags, ...values.map((v) => v.split('\n', 1)[0]!)].join(',');
}

const literal = (v: 4 | 6, ips: string[]) => (v === 4 ? ips : ips.map((ip) => `[${ip}]`));
const isAnyAddress = (ips: string[], v: 4 | 6) => ips.every((ip) => ip === (v === 4 ? '0.0.0.0' : '::'));

export function renderArgs(net: DhcpNetworkState, cfg: DhcpConfig, paths: DnsmasqPaths): string[] {
  const args = ['--no-hosts'];
  if (cfg.dnsmasqDnsServers.length > 0 || !cfg.dnsmasqLocalResolv) args.push('--no-resolv');
  args.push(
    `--pid-file=${paths.pid}`, `--dhcp-hostsfile=${paths.hosts}`, `--addn-hosts=${paths.addnHosts}`,
    `--dhcp-optsfile=${paths.opts}`, `--dhcp-leasefile=${paths.leases}`,
    '--dhcp-match=set:ipxe,175', '--dhcp-userclass=set:ipxe6,iPXE', '--local-service', '--bind-dynamic',
  );
  let possibleLeases = 0;
  for (const s of net.subnets) {
    if (!s.enable_dhcp) continue;
    const [network, prefix] = cidrNetwork(s.cidr);
    if (s.ip_version === 4) {
      args.push(`--dhcp-range=set:${subnetTag(s.id)},${network},static,${prefixToNetmask(prefix)},${leaseArg(cfg)}`);
      possibleLeases += 2 ** (32 - prefix);
    } else {
      const mode = s.ipv6_address_mode;
      const modeOk = mode === 'dhcpv6-stateful' || mode === 'dhcpv6-stateless' || (!mode && !s.ipv6_ra_mode);
      if (!modeOk || prefix < 64) continue;
      args.push(`--dhcp-range=set:${subnetTag(s.id)},${network},static,${prefix},${leaseArg(cfg)}`);
      possibleLeases += 2 ** Math.min(128 - prefix, 52);
    }
  }
  if (net.mtu > 0) args.push(`--dhcp-option-force=option:mtu,${net.mtu}`);
  args.push(`--dhcp-lease-max=${Math.min(possibleLeases, cfg.dnsmasqLeaseMax)}`);
  if (cfg.dhcpRenewalTime > 0) args.push(`--dhcp-option-force=option:T1,${cfg.dhcpRenewalTime}s`);
  if (cfg.dhcpRebindingTime > 0) args.push(`--dhcp-option-force=option:T2,${cfg.dhcpRebindingTime}s`);
  args.push('--conf-file=/dev/null');
  for (const server of cfg.dnsmasqDnsServers) args.push(`--server=${server}`);
  if (cfg.dnsDomain) args.push(`--domain=${cfg.dnsDomain}`);
  if (cfg.dhcpBroadcastReply) args.push('--dhcp-broadcast');
  return args;
}

interface HostAlloc {
  host: DhcpHostState;
  ip: string;
  subnet: DhcpSubnetState | undefined;
  hostname: string;
  fqdn: string;
}

function* allocations(net: DhcpNetworkState, cfg: DhcpConfig): Generator<HostAlloc> {
  const subnets = new Map(net.subnets.map((s) => [s.id, s]));
  for (const host of net.hosts) {
    if (NO_DHCP_OWNERS.has(host.device_owner)) continue;
    for (const fip of host.fixed_ips) {
      const hostname = host.hostname ?? `host-${fip.ip_address.replace(/[.:]/g, '-')}`;
      const fqdn = cfg.dnsDomain ? `${hostname}.${cfg.dnsDomain}` : hostname;
      yield { host, ip: fip.ip_address, subnet: subnets.get(fip.subnet_id), hostname, fqdn };
    }
  }
}

export function renderHosts(net: DhcpNetworkState, cfg: DhcpConfig): string {
  const lines: string[] = [];
  for (const a of allocations(net, cfg)) {
    const { host, subnet } = a;
    const v6 = subnet?.ip_version === 6;
    const noDhcp = v6 && (subnet!.ipv6_address_mode === 'slaac' || subnet!.ipv6_address_mode === 'dhcpv6-stateless');
    const tag = v6 ? 'tag:dhcpv6,' : '';
    const extra = host.extra_dhcp_opts;
    if (noDhcp) {
      if (subnet!.ipv6_address_mode !== 'slaac' && extra.length > 0) lines.push(`${host.mac_address},${tag}set:${portTag(host.port_id)}`);
      continue;
    }
    if (!subnet?.enable_dhcp) continue;
    const ip = v6 ? `[${a.ip}]` : a.ip;
    if (extra.length > 0) {
      const clientId = extra.find((o) => CLIENT_ID_NAMES.has(o.opt_name))?.opt_value;
      if (clientId && extra.length > 1) lines.push(`${host.mac_address},${tag}id:${clientId},${a.fqdn},${ip},set:${portTag(host.port_id)}`);
      else if (clientId) lines.push(`${host.mac_address},${tag}id:${clientId},${a.fqdn},${ip}`);
      else lines.push(`${host.mac_address},${tag}${a.fqdn},${ip},set:${portTag(host.port_id)}`);
    } else {
      lines.push(`${host.mac_address},${tag}${a.fqdn},${ip}`);
    }
  }
  return lines.map((l) => `${l}\n`).join('');
}

export function renderAddnHosts(net: DhcpNetworkState, cfg: DhcpConfig): string {
  return [...allocations(net, cfg)].map((a) => `${a.ip}\t${a.fqdn} ${a.hostname}\n`).join('');
}

export function renderOpts(net: DhcpNetworkState, cfg: DhcpConfig): string {
  const options: string[] = [];
  const withoutNameservers = new Set<string>();
  const dhcpIpOf = (subnetId: string) => net.port.fixed_ips.find((f) => f.subnet_id === subnetId)?.ip_address;
  for (const s of net.subnets) {
    if (!s.enable_dhcp || (s.ip_version === 6 && s.ipv6_address_mode === 'slaac')) continue;
    const tag = subnetTag(s.id);
    if (s.dns_nameservers.length > 0) {
      if (isAnyAddress(s.dns_nameservers, s.ip_version)) options.push(formatOption(s.ip_version, tag, 'dns-server'));
      else options.push(formatOption(s.ip_version, tag, 'dns-server', literal(s.ip_version, s.dns_nameservers).join(',')));
    } else {
      withoutNameservers.add(s.id);
    }
    if (cfg.dnsDomain && s.ip_version === 6) options.push(formatOption(6, tag, 'domain-search', cfg.dnsDomain));

    let gateway = s.gateway_ip;
    const routes: string[] = [];
    for (const hr of s.host_routes) {
      if (hr.destination === '0.0.0.0/0') gateway ??= hr.nexthop;
      else routes.push(`${hr.destination},${hr.nexthop}`);
    }
    const isolated = !s.has_router_interface;
    if ((cfg.forceMetadata || (isolated && cfg.enableIsolatedMetadata)) && s.ip_version === 4) {
      const dhcpIp = dhcpIpOf(s.id);
      if (dhcpIp) routes.push(`${METADATA_CIDR},${dhcpIp}`);
    } else if (!isolated && gateway) {
      routes.push(`${METADATA_CIDR},${gateway}`);
    }
    if (s.ip_version === 4) {
      // Other IPv4 subnets of the network are on-link.
      for (const o of net.subnets) if (o.ip_version === 4 && o.cidr !== s.cidr) routes.unshift(`${o.cidr},0.0.0.0`);
      if (routes.length > 0) {
        if (gateway) routes.push(`0.0.0.0/0,${gateway}`);
        options.push(formatOption(4, tag, 'classless-static-route', routes.join(',')));
        options.push(formatOption(4, tag, String(WIN2K3_STATIC_DNS), routes.join(',')));
      }
      options.push(gateway ? formatOption(4, tag, 'router', gateway) : formatOption(4, tag, 'router'));
    }
  }
  const dhcpIps = new Map<string, string[]>();
  for (const h of net.hosts) {
    const versions = new Set(h.fixed_ips.map((f) => ipVersionOf(f.ip_address)));
    for (const o of h.extra_dhcp_opts) {
      if (CLIENT_ID_NAMES.has(o.opt_name)) continue;
      if (versions.has(o.ip_version)) options.push(formatOption(o.ip_version, portTag(h.port_id), o.opt_name, o.opt_value));
    }
    // With several DHCP ports on a subnet and no configured DNS servers, all of them are announced.
    if (h.device_owner === 'network:dhcp') {
      for (const f of h.fixed_ips) if (withoutNameservers.has(f.subnet_id)) dhcpIps.set(f.subnet_id, [...(dhcpIps.get(f.subnet_id) ?? []), f.ip_address]);
    }
  }
  for (const [subnetId, ips] of dhcpIps) {
    for (const v of [4, 6] as const) {
      const vx = ips.filter((ip) => ipVersionOf(ip) === v);
      if (vx.length > 1) options.push(formatOption(v, subnetTag(subnetId), 'dns-server', literal(v, vx).join(',')));
    }
  }
  return options.join('\n');
}

/**
 * Whether the network's DHCP namespace serves metadata (Neutron's should_enable_metadata): always
 * with force_metadata, with enable_isolated_metadata when an IPv4 DHCP subnet has no router
 * interface. Its instances are then sent a route to 169.254.169.254 via the DHCP port (above).
 */
export function servesMetadata(net: DhcpNetworkState, cfg: DhcpConfig): boolean {
  return net.subnets.some((s) => s.ip_version === 4 && s.enable_dhcp && (cfg.forceMetadata || (cfg.enableIsolatedMetadata && !s.has_router_interface)));
}

export function renderDnsmasq(net: DhcpNetworkState, cfg: DhcpConfig, paths: DnsmasqPaths): DnsmasqRender {
  return {
    args: renderArgs(net, cfg, paths),
    hosts: renderHosts(net, cfg),
    opts: renderOpts(net, cfg),
    addnHosts: renderAddnHosts(net, cfg),
    enabled: net.subnets.some((s) => s.enable_dhcp),
  };
}
