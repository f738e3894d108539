/** MAC addresses from [DEFAULT] base_mac: its non-zero leading octets kept, the rest random. */
import { randomBytes } from 'node:crypto';

export function randomMac(baseMac: string): string {
  const base = baseMac.split(':');
  const random = randomBytes(6);
  // Neutron keeps the first three octets, and the fourth too when it is not 00.
  const keep = base[3] !== '00' ? 4 : 3;
  return base.map((octet, i) => (i < keep ? octet.toLowerCase() : random[i].toString(16).padStart(2, '0'))).join(':');
}
