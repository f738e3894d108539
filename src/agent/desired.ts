/**
 * Pure: a HostState and this agent's configuration → the desired objects of every stage, keyed as the
 * ops key them. Stages run in this order; a later stage may depend on an earlier one's devices.
 */
import type { HostState, ObjectError } from '../hoststate/types.js';
import type { AgentConfig } from './config.js';
import type { BridgeDesired } from './ops/bridges.js';
import { fdbDesired, type FdbDesired } from './ops/fdb.js';
import { segmentDevice, type SegmentDevice } from './ops/segments.js';
import type { TapDesired } from './ops/taps.js';
import type { DhcpDesired } from './ops/dhcp.js';
import type { RouterDesired } from './ops/routers.js';
import { FIREWALL_KEY, type FirewallDesired } from './ops/firewall.js';

// dhcp and router before tap: their veths created in a pass are enslaved by the tap stage of the same pass.
// firewall last: one key ('host') for the whole nftables ruleset of the host's ports.
export const STAGES = ['bridge', 'segment', 'dhcp', 'router', 'tap', 'fdb', 'firewall'] as const;
export type StageName = (typeof STAGES)[number];

export interface Desired {
  revision: number;
  bridge: Map<string, BridgeDesired>;
  segment: Map<string, SegmentDevice>;
  tap: Map<string, TapDesired>;
  fdb: Map<string, FdbDesired>;
  dhcp: Map<string, DhcpDesired>;
  router: Map<string, RouterDesired>;
  firewall: Map<string, FirewallDesired>;
  /** Stage keys a port's status depends on (its network's bridge and segment device, its tap). */
  portDeps: Map<string, { stage: StageName; key: string }[]>;
  /** Problems found while rendering (e.g. unmapped physical network), keyed by network. */
  errors: ObjectError[];
}

export function desiredFromHostState(hs: HostState, cfg: AgentConfig): Desired {
  const d: Desired = {
    revision: hs.revision, bridge: new Map(), segment: new Map(), tap: new Map(), fdb: new Map(), dhcp: new Map(), router: new Map(), firewall: new Map(),
    portDeps: new Map(), errors: [],
  };
  const netDeps = new Map<string, { stage: StageName; key: string }[]>();
  const mtuOf = new Map<string, number>();
  for (const net of hs.networks) {
    mtuOf.set(net.id, net.mtu);
    d.bridge.set(net.id, { networkId: net.id, mtu: net.mtu });
    const deps: { stage: StageName; key: string }[] = [{ stage: 'bridge', key: net.id }];
    try {
      const dev = segmentDevice(net, cfg.l2);
      if (dev) {
        d.segment.set(dev.name, dev);
        deps.push({ stage: 'segment', key: dev.name });
      }
    } catch (err) {
      d.errors.push({ kind: 'segment', key: net.id, message: (err as Error).message });
      deps.push({ stage: 'segment', key: `!${net.id}` });
    }
    if (cfg.l2.l2Population) {
      const f = fdbDesired(net, cfg.l2.localIp, cfg.l2.arpResponder);
      if (f && d.segment.has(f.device)) d.fdb.set(f.device, f);
    }
    netDeps.set(net.id, deps);
  }
  const addTap = (portId: string, networkId: string, adminStateUp: boolean) => {
    if (d.tap.has(portId)) return;
    d.tap.set(portId, { portId, networkId, adminStateUp, mtu: mtuOf.get(networkId) ?? 0 });
    d.portDeps.set(portId, [...(netDeps.get(networkId) ?? [{ stage: 'bridge', key: networkId }]), { stage: 'tap', key: portId }]);
  };
  for (const p of hs.ports) addTap(p.id, p.network_id, p.admin_state_up);
  if (cfg.dhcp.enabled) {
    for (const n of hs.dhcp) {
      d.dhcp.set(n.network_id, { network: n });
      // The DHCP veth's bridge side is a port device like any other (also if the server omitted it from `ports`).
      addTap(n.port.id, n.network_id, true);
    }
  }
  if (cfg.l3?.enabled) {
    for (const r of hs.routers ?? []) {
      if (!r.admin_state_up) continue; // an admin-down router is removed from its agent, as Neutron does
      d.router.set(r.id, { router: r });
      // Router ports are port devices like the DHCP veth: their bridge side is a tap of the network.
      for (const p of [...(r.gateway ? [r.gateway] : []), ...r.interfaces]) {
        if (!mtuOf.has(p.network_id)) d.errors.push({ kind: 'router', key: r.id, message: `network ${p.network_id} of port ${p.port_id} is not in the host state` });
        addTap(p.port_id, p.network_id, true);
      }
    }
  }
  // No firewall in the host state (server: security groups off) or on this agent (noop): no key, so
  // the firewall stage prunes our tables.
  if (hs.firewall && cfg.l2.firewall !== 'none') d.firewall.set(FIREWALL_KEY, { ports: hs.ports, firewall: hs.firewall });
  return d;
}

/** The keys whose desired value differs between two renders (added, changed or removed), per stage. */
export function changedKeys(prev: Desired | undefined, next: Desired): { stage: StageName; key: string }[] {
  const out: { stage: StageName; key: string }[] = [];
  for (const stage of STAGES) {
    const a = prev?.[stage] as Map<string, unknown> | undefined;
    const b = next[stage] as Map<string, unknown>;
    for (const [k, v] of b) if (!a || JSON.stringify(a.get(k)) !== JSON.stringify(v)) out.push({ stage, key: k });
    if (a) for (const k of a.keys()) if (!b.has(k)) out.push({ stage, key: k });
  }
  return out;
}
