/** randomMac: base_mac's leading octets kept as Neutron keeps them, the rest random (core/mac.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomMac } from '../../src/core/mac.js';

describe('randomMac', () => {
  it('keeps three octets of base_mac, four when the fourth is not 00, in lower case', () => {
    assert.match(randomMac('FA:16:3E:00:00:00'), /^fa:16:3e(:[0-9a-f]{2}){3}$/);
    assert.match(randomMac('fa:16:3e:4f:00:00'), /^fa:16:3e:4f(:[0-9a-f]{2}){2}$/);
  });

  it('draws fresh random octets for every MAC, across refills of its random pool', () => {
    // 5,000 MACs span several 4 KiB refills; 24 random bits make more than a few repeats unlikely.
    const macs = Array.from({ length: 5000 }, () => randomMac('fa:16:3e:00:00:00'));
    assert.ok(new Set(macs).size > 4990, `only ${new Set(macs).size} distinct of 5000`);
    for (let i = 1; i < macs.length; i++) assert.notEqual(macs[i], macs[i - 1]);
    // Every random octet value turns up: the bytes are not stuck or reused.
    const fourth = new Set(macs.map((m) => m.split(':')[3]));
    assert.ok(fourth.size > 250, `fourth octet took ${fourth.size} values`);
  });
});
