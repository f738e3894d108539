/** MAC addresses from [DEFAULT] base_mac: its non-zero leading octets kept, the rest random. */
import { randomFillSync } from 'node:crypto';

// Random bytes are drawn 4 KiB at a time: one getrandom per ~680 MACs rather than one per MAC
// (randomBytes(6) costs ~7 µs on this machine kind, a visible share of a port create).
const pool = Buffer.alloc(4096);
let used = pool.length;

function random6(): Buffer {
  if (used + 6 > pool.length) { randomFillSync(pool); used = 0; }
  used += 6;
  return pool.subarray(used - 6, used);
}

export function randomMac(baseMac: string): string {
  const base = baseMac.split(':');
  const random = random6();
  // Neutron keeps the first three octets, and the fourth too when it is not 00.
  const keep = base[3] !== '00' ? 4 : 3;
  return base.map((octet, i) => (i < keep ? octet.toLowerCase() : random[i]!.toString(16).padStart(2, '0'))).join(':');
}
