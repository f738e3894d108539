/**
 * The incremental-equals-full-resync proof on the real kernel (root only): an in-process reconciler
 * drives a test namespace (hostNetns) through a sequence of states incrementally; a full resync on top
 * changes nothing, and the namespace matches one built by a single full resync. DHCP is off here (its
 * qdhcp namespaces need the private /run/netns the fullstack harness provides).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HostState } from '../../src/hoststate/types.js';
import { createAgent } from '../../src/agent/agent.js';
import { defaultDhcpConfig, defaultL2Config, type AgentConfig } from '../../src/agent/config.js';
import type { HostStateSource } from '../../src/agent/host-state-client.js';
import { fullstackSkipReason, newPrefix, sh } from '../fullstack/harness.js';
import { parseLinks } from '../../src/agent/linux/ip.js';
import { parseFdb } from '../../src/agent/linux/bridge.js';

const skip = await fullstackSkipReason();

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const N1 = '10000000-0000-4000-8000-000000000001';
const N2 = '20000000-0000-4000-8000-000000000002';
const P = (i: number) => `p${i}000000-0000-4000-8000-00000000000${i}`;

function state(revision: number, nets: string[], ports: [number, string, boolean][], remotes: string[]): HostState {
  return {
    host: 'k', revision,
    networks: nets.map((id, i) => ({
      id, mtu: 1400 + i, admin_state_up: true, segment: { network_type: 'vxlan', physical_network: null, segmentation_id: 500 + i },
      remotes: remotes.map((ip, j) => ({ host: `r${j}`, vtep_ip: ip, ports: [{ mac_address: `fa:16:3e:0${i}:00:0${j}`, ips: [`10.0.${i}.${j + 2}`] }] })),
    })),
    ports: ports.map(([i, net, up]) => ({
      id: P(i), network_id: net, mac_address: `fa:16:3e:00:00:0${i}`, fixed_ips: [], admin_state_up: up, device_owner: 'compute:nova',
      device_id: 'vm', revision_number: revision, port_security_enabled: true, security_groups: [], allowed_address_pairs: [],
    })),
    dhcp: [],
  };
}

const SEQUENCE: HostState[] = [
  state(1, [N1], [[1, N1, true]], ['192.0.2.9']),
  state(2, [N1, N2], [[1, N1, true], [2, N2, true], [3, N2, true]], ['192.0.2.9', '192.0.2.8']),
  state(3, [N1, N2], [[1, N1, false], [3, N1, true]], ['192.0.2.8']),
  state(4, [N2], [[2, N2, true]], ['192.0.2.7']),
];

class Src implements HostStateSource {
  constructor(public state: HostState) {}
  async fetchState(since?: number) {
    return since !== undefined && since >= this.state.revision ? ('not-modified' as const) : structuredClone(this.state);
  }
  async report() {}
}

/** What the agent owns in `ns`: its devices in full; taps it no longer wants only by bridge membership
 *  (a released tap keeps the MTU/up state it had, which is the instance's business, not ours). */
async function snapshot(ns: string, desired: HostState): Promise<string> {
  const wanted = new Set(desired.ports.map((p) => `tap${p.id.slice(0, 11)}`));
  const links = parseLinks(await sh(['ip', '-n', ns, '-json', '-d', 'link', 'show']))
    .filter((l) => l.ifname !== 'lo' && !l.ifname.startsWith('vm'))
    .map((l) => (l.ifname.startsWith('tap') && !wanted.has(l.ifname) ? { ...l, mtu: 0, flags: [] } : l))
    .map((l) => ({ n: l.ifname, mtu: l.mtu, master: l.master, up: l.flags.includes('UP'), kind: l.kind, id: l.data?.id, local: l.data?.local, learning: l.data?.learning }))
    .sort((a, b) => a.n.localeCompare(b.n));
  const fdb: unknown[] = [];
  for (const l of links.filter((x) => x.kind === 'vxlan')) {
    fdb.push(...parseFdb(await sh(['bridge', '-n', ns, '-json', 'fdb', 'show', 'dev', l.n])).filter((e) => e.dst).map((e) => `${l.n} ${e.mac} ${e.dst}`).sort());
  }
  return JSON.stringify({ links, fdb }, null, 1);
}

describe('reconciler on the real kernel: incremental = full resync', { skip }, () => {
  const prefix = newPrefix();
  const [nsInc, nsFull] = [`${prefix}-inc`, `${prefix}-full`];
  const cfg: AgentConfig = { host: 'k', l2: defaultL2Config({ localIp: '192.0.2.1', l2Population: true }), dhcp: defaultDhcpConfig() };

  before(async () => {
    for (const ns of [nsInc, nsFull]) {
      await sh(['ip', 'netns', 'add', ns]);
      // Instances' taps: plain veths whose peers stay in the same namespace (no traffic needed here).
      for (const i of [1, 2, 3]) await sh(['ip', '-n', ns, 'link', 'add', `tap${P(i).slice(0, 11)}`, 'type', 'veth', 'peer', 'name', `vm${i}`]);
    }
  });
  after(async () => {
    for (const ns of [nsInc, nsFull]) await sh(['ip', 'netns', 'delete', ns]).catch(() => {});
  });

  it('converges incrementally to what one full resync builds', async () => {
    const src = new Src(SEQUENCE[0]!);
    const inc = createAgent({ config: cfg, source: src, log: quiet, hostNetns: `/run/netns/${nsInc}` });
    await inc.fullResync();
    for (const s of SEQUENCE.slice(1)) {
      src.state = s;
      await inc.incremental();
      assert.deepEqual(inc.stats().errors, []);
    }
    const changes = inc.stats().changes;
    await inc.fullResync();
    assert.equal(inc.stats().changes, changes, 'a full resync after the incremental updates changed something');

    const full = createAgent({ config: cfg, source: new Src(SEQUENCE.at(-1)!), log: quiet, hostNetns: `/run/netns/${nsFull}` });
    await full.fullResync();
    const last = SEQUENCE.at(-1)!;
    assert.equal(await snapshot(nsInc, last), await snapshot(nsFull, last));
    const snap = JSON.parse(await snapshot(nsInc, last)) as { links: { n: string; master?: string }[]; fdb: string[] };
    assert.ok(snap.links.some((l) => l.n === 'vxlan-500' && l.master === `brq${N2.slice(0, 11)}`));
    assert.deepEqual(snap.fdb, ['vxlan-500 00:00:00:00:00:00 192.0.2.7', 'vxlan-500 fa:16:3e:00:00:00 192.0.2.7']);
  });
});
