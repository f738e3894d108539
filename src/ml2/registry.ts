/** The type drivers by name: a plain map built from the settings, one line per type. */
import type { TypeDriver, Ml2Settings, MechanismDriver } from './driver-api.js';
import type { FreeRanges } from '../store/tables/free-ranges.js';
import { localTypeDriver } from './type-drivers/local.js';
import { flatTypeDriver } from './type-drivers/flat.js';
import { vlanTypeDriver } from './type-drivers/vlan.js';
import { tunnelTypeDriver } from './type-drivers/tunnel.js';
import { linuxbridgeMechanismDriver, l2populationMechanismDriver, type LinuxbridgeOptions } from './mechanism-drivers/linuxbridge.js';

/** Encapsulation overheads beyond the outer IP header, as Neutron counts them. */
export const VXLAN_ENCAP_OVERHEAD = 30;
export const GRE_ENCAP_OVERHEAD = 22;

export function createTypeDrivers(s: Ml2Settings, free: FreeRanges): Map<string, TypeDriver> {
  const mtus = { globalPhysnetMtu: s.globalPhysnetMtu, physicalNetworkMtus: s.physicalNetworkMtus };
  const tunnel = { overlayIpVersion: s.overlayIpVersion, globalPhysnetMtu: s.globalPhysnetMtu, pathMtu: s.pathMtu };
  const all: Record<string, () => TypeDriver> = {
    local: () => localTypeDriver(),
    flat: () => flatTypeDriver({ flatNetworks: s.flatNetworks, ...mtus }),
    vlan: () => vlanTypeDriver(free, { ranges: s.networkVlanRanges, ...mtus }),
    vxlan: () => tunnelTypeDriver(free, { networkType: 'vxlan', ranges: s.vxlanVniRanges, encapOverhead: VXLAN_ENCAP_OVERHEAD, ...tunnel }),
    geneve: () => tunnelTypeDriver(free, { networkType: 'geneve', ranges: s.geneveVniRanges, encapOverhead: s.geneveMaxHeaderSize, ...tunnel }),
    gre: () => tunnelTypeDriver(free, { networkType: 'gre', ranges: s.greTunnelIdRanges, encapOverhead: GRE_ENCAP_OVERHEAD, ...tunnel }),
  };
  const drivers = new Map<string, TypeDriver>();
  for (const name of s.typeDrivers) {
    const make = all[name];
    if (!make) throw new Error(`[ml2] type_drivers: unknown network type '${name}' (known: ${Object.keys(all).join(', ')})`);
    drivers.set(name, make());
  }
  for (const t of s.tenantNetworkTypes) {
    if (!drivers.has(t)) throw new Error(`[ml2] tenant_network_types: '${t}' is not in type_drivers`);
  }
  return drivers;
}

/**
 * The mechanism drivers of [ml2] mechanism_drivers, in order. Names without a driver here (e.g.
 * openvswitch) are skipped: they bind nothing, so ports on such hosts end `binding_failed`.
 */
export function createMechanismDrivers(names: string[], o: LinuxbridgeOptions): MechanismDriver[] {
  const all: Record<string, () => MechanismDriver> = {
    linuxbridge: () => linuxbridgeMechanismDriver(o),
    l2population: () => l2populationMechanismDriver(),
  };
  return names.filter((n) => all[n]).map((n) => all[n]!());
}

export const DEFAULT_ML2_SETTINGS: Ml2Settings = {
  typeDrivers: ['local', 'flat', 'vlan', 'gre', 'vxlan', 'geneve'],
  tenantNetworkTypes: ['local'],
  mechanismDrivers: [],
  extensionDrivers: [],
  globalPhysnetMtu: 1500,
  pathMtu: 1500,
  physicalNetworkMtus: {},
  flatNetworks: ['*'],
  networkVlanRanges: [],
  vxlanVniRanges: [],
  geneveVniRanges: [],
  geneveMaxHeaderSize: 30,
  greTunnelIdRanges: [],
  overlayIpVersion: 4,
};
