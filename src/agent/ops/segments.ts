/**
 * The device that connects a network's bridge to the outside, per segment type:
 * vxlan → `vxlan-<vni>` (local = [vxlan] local_ip, nolearning with l2population);
 * flat → the mapped physical interface enslaved as is; vlan → `<dev>.<vid>` (this machine's kernel has
 * no 802.1Q, so the create fails and is reported per network); local → nothing.
 * Keys are device names, so delete/prune need nothing but the kernel's view.
 */
import type { NetworkState } from '../../hoststate/types.js';
import type { L2Config } from '../config.js';
import { ExecError, type Runner } from '../linux/exec.js';
import { ipBatch, isUp, type Link } from '../linux/ip.js';
import { bridgeName, vxlanName, type LinkView, type Ops } from './types.js';

export type SegmentDevice =
  | { type: 'vxlan'; networkId: string; name: string; vni: number; local: string; dstport: number; learning: boolean; proxy: boolean; ttl?: number; tos?: number; mtu: number }
  | { type: 'physical'; networkId: string; name: string }
  | { type: 'vlan'; networkId: string; name: string; lower: string; vid: number; mtu: number };

/** Thrown for a network this host cannot realise with its configuration (reported, retried). */
export class SegmentConfigError extends Error {
  override name = 'SegmentConfigError';
}

/** Pure: which device a network needs here; null for `local` networks (bridge only). Throws SegmentConfigError. */
export function segmentDevice(net: NetworkState, cfg: L2Config): SegmentDevice | null {
  const seg = net.segment;
  switch (seg.network_type) {
    case 'local':
      return null;
    case 'vxlan': {
      if (!cfg.enableVxlan) throw new SegmentConfigError(`network ${net.id}: VXLAN is disabled ([vxlan] enable_vxlan = false)`);
      if (!cfg.localIp) throw new SegmentConfigError(`network ${net.id}: [vxlan] local_ip is not set`);
      if (seg.segmentation_id == null) throw new SegmentConfigError(`network ${net.id}: vxlan segment without VNI`);
      return {
        type: 'vxlan', networkId: net.id, name: vxlanName(seg.segmentation_id), vni: seg.segmentation_id,
        local: cfg.localIp, dstport: cfg.udpDstport, learning: !cfg.l2Population, proxy: cfg.l2Population && cfg.arpResponder, ttl: cfg.ttl, tos: cfg.tos, mtu: net.mtu,
      };
    }
    case 'flat':
    case 'vlan': {
      const physnet = seg.physical_network ?? '';
      const dev = cfg.physicalInterfaceMappings[physnet];
      if (!dev) throw new SegmentConfigError(`network ${net.id}: physical network '${physnet}' has no interface in [linux_bridge] physical_interface_mappings`);
      if (seg.network_type === 'flat') return { type: 'physical', networkId: net.id, name: dev };
      if (seg.segmentation_id == null) throw new SegmentConfigError(`network ${net.id}: vlan segment without VLAN id`);
      return { type: 'vlan', networkId: net.id, name: `${dev}.${seg.segmentation_id}`, lower: dev, vid: seg.segmentation_id, mtu: net.mtu };
    }
    default:
      throw new SegmentConfigError(`network ${net.id}: network type '${seg.network_type}' is not supported by the linuxbridge agent`);
  }
}

function vxlanMatches(d: Extract<SegmentDevice, { type: 'vxlan' }>, a: Link): boolean {
  const data = a.data ?? {};
  if (a.kind !== 'vxlan' || data.id !== d.vni || data.local !== d.local || data.port !== d.dstport) return false;
  if (Boolean(data.learning) !== d.learning || Boolean(data.proxy) !== d.proxy) return false;
  if (d.ttl !== undefined && Number(data.ttl ?? 0) !== d.ttl) return false;
  if (d.tos !== undefined && Number.parseInt(String(data.tos ?? '0'), 16) !== d.tos) return false;
  return true;
}

/** Pure: `ip -batch` lines turning `actual` (undefined = absent) into the desired device. */
export function planSegment(d: SegmentDevice, actual: Link | undefined): string[] {
  const br = bridgeName(d.networkId);
  const lines: string[] = [];
  let a = actual;
  if (d.type === 'vxlan') {
    if (a && !vxlanMatches(d, a)) {
      lines.push(`link del ${d.name}`);
      a = undefined;
    }
    if (!a) {
      const opts = [`id ${d.vni}`, `local ${d.local}`, `dstport ${d.dstport}`];
      if (d.ttl !== undefined) opts.push(`ttl ${d.ttl}`);
      if (d.tos !== undefined) opts.push(`tos ${d.tos}`);
      if (!d.learning) opts.push('nolearning');
      if (d.proxy) opts.push('proxy');
      lines.push(`link add ${d.name} type vxlan ${opts.join(' ')}`);
    }
  } else if (d.type === 'vlan') {
    if (a && (a.kind !== 'vlan' || (a.data?.id !== undefined && a.data.id !== d.vid))) {
      lines.push(`link del ${d.name}`);
      a = undefined;
    }
    if (!a) lines.push(`link add link ${d.lower} name ${d.name} type vlan id ${d.vid}`);
  } else if (!a) {
    throw new SegmentConfigError(`network ${d.networkId}: physical interface ${d.name} does not exist`);
  }
  if (d.type !== 'physical' && d.mtu > 0 && a?.mtu !== d.mtu) lines.push(`link set ${d.name} mtu ${d.mtu}`);
  if (a?.master !== br) lines.push(`link set ${d.name} master ${br}`);
  if (!a || !isUp(a)) lines.push(`link set ${d.name} up`);
  return lines;
}

/** Pure: our vxlan/vlan devices not desired are deleted; mapped interfaces still in one of our bridges are released. */
export function planSegmentPrune(desiredNames: ReadonlySet<string>, links: readonly Link[], cfg: L2Config): string[] {
  const mapped = new Set(Object.values(cfg.physicalInterfaceMappings));
  const lines: string[] = [];
  for (const l of links) {
    if (desiredNames.has(l.ifname)) continue;
    if (l.kind === 'vxlan' && l.ifname.startsWith('vxlan-')) lines.push(`link del ${l.ifname}`);
    else if (l.kind === 'vlan' && mapped.has(l.ifname.split('.')[0]!)) lines.push(`link del ${l.ifname}`);
    else if (mapped.has(l.ifname) && l.master?.startsWith('brq')) lines.push(`link set ${l.ifname} nomaster`);
  }
  return lines;
}

export class SegmentOps implements Ops<SegmentDevice> {
  readonly stage = 'segment';
  constructor(private readonly runner: Runner, private readonly view: LinkView, private readonly cfg: L2Config) {}

  keyOf(d: SegmentDevice): string {
    return d.name;
  }

  async update(d: SegmentDevice): Promise<number> {
    const lines = planSegment(d, (await this.view.byName()).get(d.name));
    try {
      return await this.apply(lines);
    } catch (err) {
      if (d.type === 'vlan' && err instanceof ExecError) {
        throw new SegmentConfigError(`network ${d.networkId}: cannot create VLAN device ${d.name} (this kernel has no 802.1Q support?): ${err.stderr.trim()}`);
      }
      throw err;
    }
  }

  async delete(name: string): Promise<number> {
    const l = (await this.view.byName()).get(name);
    if (!l) return 0;
    return this.apply(planSegmentPrune(new Set(), [l], this.cfg));
  }

  async prune(desiredKeys: ReadonlySet<string>): Promise<number> {
    return this.apply(planSegmentPrune(desiredKeys, await this.view.links(), this.cfg));
  }

  private async apply(lines: string[]): Promise<number> {
    if (lines.length === 0) return 0;
    try {
      await ipBatch(this.runner, lines);
    } finally {
      this.view.invalidate();
    }
    return lines.length;
  }
}
