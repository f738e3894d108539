/**
 * bench/firewall: the agent's nftables firewall at scale on the real kernel — 500 filtered ports and
 * 1,000 security group rules (mostly remote-group rules) on one host, programmed by FirewallOps
 * into a network namespace this bench creates (`fwb-<pid>`, deleted at the end, also on failure).
 * Prints, never asserts: full programming time (empty → whole ruleset), a no-change pass, the time
 * for one rule add to take effect (render + compare + one nft transaction; p50/p90 over N adds),
 * and the ruleset size as the kernel lists it.
 *
 *   node --import tsx bench/firewall/run.ts [--ports 500] [--rules 1000] [--adds 20]   (root)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { PortState } from '../../src/hoststate/types.js';
import type { FirewallState, SecurityGroupRuleState, SecurityGroupState } from '../../src/hoststate/firewall.js';
import { createRunner } from '../../src/agent/linux/exec.js';
import { LinkView } from '../../src/agent/ops/types.js';
import { FirewallOps } from '../../src/agent/ops/firewall.js';

const run = promisify(execFile);
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const PORTS = arg('ports', 500);
const RULES = arg('rules', 1000);
const ADDS = arg('adds', 20);
const NETWORKS = 10;
const GROUPS = 50;

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
// The counter leads: device names use the first 11 characters of an id.
const uuid = (kind: number, n: number) => `${hex(n, 8)}-${hex(kind, 4)}-4000-8000-${hex(kind, 12)}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

/** 500 ports on 10 networks, each in one or two of 50 groups; 1,000 rules, 70 % remote-group. */
function scenario(): { ports: PortState[]; firewall: FirewallState } {
  const groupIds = Array.from({ length: GROUPS }, (_, g) => uuid(2, g));
  const ports: PortState[] = Array.from({ length: PORTS }, (_, i) => {
    const net = i % NETWORKS;
    const groups = [groupIds[i % GROUPS]!, ...(i % 3 === 0 ? [groupIds[(i * 7 + 1) % GROUPS]!] : [])];
    return {
      id: uuid(1, i), network_id: uuid(3, net), mac_address: `fa:16:3e:${hex((i >> 16) & 255, 2)}:${hex((i >> 8) & 255, 2)}:${hex(i & 255, 2)}`,
      fixed_ips: [{ subnet_id: uuid(4, net), ip_address: `10.${net}.${i >> 8}.${(i & 255) || 1}` }],
      admin_state_up: true, device_owner: 'compute:nova', device_id: `vm-${i}`, revision_number: 1,
      port_security_enabled: true, security_groups: [...new Set(groups)].sort(),
      allowed_address_pairs: i % 10 === 0 ? [{ ip_address: `10.${net}.200.${i % 250}/32` }] : [],
    };
  });
  const rules = new Map<string, SecurityGroupRuleState[]>(groupIds.map((g) => [g, []]));
  for (let r = 0; r < RULES; r++) {
    const g = groupIds[r % GROUPS]!;
    const remote = r % 10 < 7;
    rules.get(g)!.push({
      id: uuid(5, r), direction: r % 5 === 4 ? 'egress' : 'ingress', ethertype: 'IPv4', protocol: r % 4 === 3 ? 'udp' : 'tcp',
      port_range_min: 1000 + r, port_range_max: 1000 + r + (r % 3), remote_ip_prefix: remote ? null : `172.${16 + (r % 16)}.${r % 256}.0/24`,
      remote_group_id: remote ? groupIds[(r * 13 + 5) % GROUPS]! : null, remote_address_group_id: null,
    });
  }
  const security_groups: SecurityGroupState[] = groupIds.map((id, g) => ({ id, stateful: g % 10 !== 9, rules: rules.get(id)! }));
  // Members: every port's addresses in its groups (what the server renders from the database).
  const remote_groups = groupIds.map((id) => {
    const members = ports.filter((p) => p.security_groups.includes(id));
    const ipv4 = [...new Set(members.flatMap((p) => [...p.fixed_ips.map((f) => f.ip_address), ...p.allowed_address_pairs.map((a) => a.ip_address)]))].sort();
    return { security_group_id: id, ipv4, ipv6: [] };
  });
  return { ports, firewall: { security_groups, remote_groups, address_groups: [] } };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/firewall needs root (it creates a network namespace)');
  const ns = `fwb-${process.pid}`;
  await run('ip', ['netns', 'add', ns]);
  try {
    const runner = createRunner({ hostNetns: `/run/netns/${ns}` });
    const ops = new FirewallOps(runner, new LinkView(runner));
    const s = scenario();
    const nRules = s.firewall.security_groups.reduce((n, g) => n + g.rules.length, 0);
    const nRemote = s.firewall.security_groups.reduce((n, g) => n + g.rules.filter((r) => r.remote_group_id).length, 0);
    console.log(`bench/firewall: ${s.ports.length} ports on ${NETWORKS} networks, ${GROUPS} groups, ${nRules} rules (${nRemote} remote-group), netns ${ns}`);

    const full: number[] = [];
    for (let i = 0; i < 5; i++) {
      await ops.delete();
      const t0 = performance.now();
      await ops.update(s);
      full.push(performance.now() - t0);
    }
    const t1 = performance.now();
    const changes = await ops.update(s);
    const noop = performance.now() - t1;

    const adds: number[] = [];
    for (let i = 0; i < ADDS; i++) {
      const g = s.firewall.security_groups[(i * 11) % GROUPS]!;
      g.rules.push({ id: uuid(6, i), direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 20000 + i, port_range_max: 20000 + i, remote_ip_prefix: null, remote_group_id: s.firewall.security_groups[i % GROUPS]!.id, remote_address_group_id: null });
      const t0 = performance.now();
      await ops.update(s);
      adds.push(performance.now() - t0);
    }
    const reads: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await ops.read();
      reads.push(performance.now() - t0);
    }
    const { stdout } = await run('ip', ['netns', 'exec', ns, 'nft', 'list', 'ruleset']);
    const { stdout: json } = await run('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'ruleset'], { maxBuffer: 256 * 1024 * 1024 });
    const objs = (JSON.parse(json).nftables as Record<string, any>[]);
    const kernelRules = objs.filter((o) => o.rule).length;
    const elements = objs.filter((o) => o.set || o.map).reduce((n, o) => n + ((o.set ?? o.map).elem?.length ?? 0), 0);
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    console.log(`full programming (empty → ruleset, render + 1 nft transaction): median ${ms(median(full))} (runs: ${full.map(ms).join(', ')})`);
    console.log(`pass with nothing changed: ${ms(noop)}, ${changes} kernel change(s)`);
    console.log(`one rule add → in the kernel: p50 ${ms(median(adds))}, p90 ${ms(pct(adds, 0.9))} over ${adds.length} adds`);
    console.log(`of which reading the kernel's tables back (nft -j list table ×2): median ${ms(median(reads))}`);
    console.log(`ruleset: ${kernelRules} rules, ${objs.filter((o) => o.chain).length} chains, ${objs.filter((o) => o.set || o.map).length} sets/maps with ${elements} elements; \`nft list ruleset\` ${stdout.split('\n').length} lines, ${(stdout.length / 1024).toFixed(0)} KiB`);
  } finally {
    await run('ip', ['netns', 'del', ns]);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
