/** MTU of a physical network: the smaller of physical_network_mtus[physnet] and global_physnet_mtu. */
export function physnetMtu(physnet: string | null, globalPhysnetMtu: number, physicalNetworkMtus: Record<string, number>): number {
  const limits = [globalPhysnetMtu, physnet ? physicalNetworkMtus[physnet] ?? 0 : 0].filter((m) => m > 0);
  return limits.length ? Math.min(...limits) : 0;
}
