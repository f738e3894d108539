/**
 * Security groups and port security end to end with the REAL server (issue 5, proof points 1–7): a
 * `nucleon server` process (SQLite, noauth; hints on RabbitMQ when 127.0.0.1:5672 answers), two
 * simulated hosts each running a real `nucleon agent` (L2 + DHCP + nftables firewall), instances plugged
 * with `nucleon port plug` and addressed by DHCP. Every object — groups, rules (incl. remote-group and
 * address-group rules), stateless groups, ports with and without port security, allowed address pairs —
 * is created through the API as a user would. Most flows cross hosts over VXLAN:
 *
 *   host1: A (sgA, pair VIP)  C (sgC)  E (sgS stateless)  R (sgR, rogue DHCP)  A2 (net2, sgN)
 *   host2: B (sgB)  D (sgS stateless)  U (no port security)  B2 (net2, sgN)
 *   net1 and net2: both 10.50.0.0/24; A2/B2 hold A's/B's addresses.
 *
 * Needs root, nft, conntrack, python3; skipped with the reason otherwise.
 * Run: node --import tsx --test test/fullstack/security-groups-server.test.ts   (NUCLEON_FULLSTACK_DEBUG=1 for logs,
 * NUCLEON_FULLSTACK_NO_BUS=1 for the polling-only path)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { fullstackSkipReason, sh, Topology, waitFor, type Instance, type SimHost } from './harness.js';
import { portPlug, RealServer, startAgent, writeAgentConfig, type AgentFiles, type HostProcess } from './server-harness.js';
import { hex, ipHex, macHex, msUntil, Packets, PY } from './security-groups-server-helpers.js';

let skip = await fullstackSkipReason();
if (!skip) {
  for (const bin of [PY, 'nft', 'conntrack']) {
    if (!(await sh(['sh', '-c', `command -v ${bin}`]).catch(() => ''))) skip = `security-group tests need '${bin}'`;
  }
}
if (skip) console.log(`# SKIP fullstack: ${skip}`);

async function rabbitUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(5672, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
const rabbit = !skip && !process.env.NUCLEON_FULLSTACK_NO_BUS && (await rabbitUp());
if (!skip && !rabbit) console.log('# no RabbitMQ (not on 127.0.0.1:5672, or NUCLEON_FULLSTACK_NO_BUS set): agents poll every second; the one-second bounds get a second more');
/** A change made through the API must be in effect within this (one second with hints). */
const WITHIN = rabbit ? 1_000 : 2_000;
const POLL = rabbit ? 5 : 1;
const P = 'sgproj';
const VIP = '10.50.0.200';

describe('fullstack (real server): security groups and port security, two hosts, real agents', { skip }, () => {
  const topo = new Topology();
  let server: RealServer;
  let h1: SimHost, h2: SimHost;
  let pk: Packets;
  const files = new Map<SimHost, AgentFiles>();
  const agents = new Map<SimHost, HostProcess>();
  const vm: Record<string, Instance> = {};
  const port: Record<string, any> = {};
  const sg: Record<string, string> = {};
  let net1: string, net2: string, ag: string;

  const logs = () => [...agents.entries()].map(([h, a]) => `--- ${h.name}\n${a.output().slice(-6000)}`).join('\n');
  const api = <T = any>(method: string, path: string, body?: unknown) => server.ok<T>(method, path, body, P);
  const ip = (name: string): string => port[name].fixed_ips[0].ip_address;
  const addRule = async (group: string, r: Record<string, unknown>): Promise<string> =>
    (await api('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg[group], ethertype: 'IPv4', ...r } })).security_group_rule.id;
  const delRule = (id: string) => api('DELETE', `/v2.0/security-group-rules/${id}`);
  const rulesOf = async (group: string) => (await api('GET', `/v2.0/security-group-rules?security_group_id=${sg[group]}`)).security_group_rules as any[];
  const setGroups = (name: string, groups: string[]) => api('PUT', `/v2.0/ports/${port[name].id}`, { port: { security_groups: groups.map((g) => sg[g]) } });
  const connects = (from: string, to: string, p: number) => pk.connects(vm[from]!, ip(to), p);
  /** One echo request, 0.3 s for the answer (a probe loop sees a change within that). */
  const ping = (from: string, to: string) => sh(['ip', 'netns', 'exec', vm[from]!.ns, 'ping', '-c', '1', '-W', '0.3', ip(to)]).then(() => true, () => false);
  const nsExec = (h: SimHost, ...argv: string[]) => sh(['ip', 'netns', 'exec', h.ns, ...argv]);

  async function createPort(name: string, netId: string, body: Record<string, unknown>): Promise<void> {
    const { id } = (await api('POST', '/v2.0/ports', { port: { network_id: netId, name, ...body } })).port;
    port[name] = (await server.ok('GET', `/v2.0/ports/${id}`)).port;
  }

  before(async () => {
    await topo.create(2);
    [h1, h2] = topo.hosts as [SimHost, SimHost];
    const dir = `${topo.baseDir}/server`;
    await mkdir(dir, { recursive: true });
    pk = new Packets(topo.baseDir);
    await pk.init();
    server = new RealServer({ dir, transportUrl: rabbit ? 'rabbit://guest:guest@127.0.0.1:5672/' : undefined, dhcpAgentsPerNetwork: 1 });
    await server.start();
    for (const h of [h1, h2]) {
      files.set(h, await writeAgentConfig(h, { serverUrl: server.url, dhcp: true, pollingInterval: POLL, transportUrl: rabbit ? 'rabbit://guest:guest@127.0.0.1:5672/' : undefined }));
      agents.set(h, await startAgent(h, files.get(h)!));
    }
    await waitFor('agents alive', async () => {
      const list = (await server.ok('GET', '/v2.0/agents')).agents as any[];
      return list.length === 4 && list.every((a) => a.alive);
    }, 30_000).catch((e) => { throw new Error(`${e.message}\n${logs()}`); });

    // Groups: a new group comes with Neutron's two allow-all egress rules (IPv4, IPv6) and no ingress.
    for (const [name, stateful] of [['sgA', true], ['sgB', true], ['sgC', true], ['sgS', false], ['sgR', true], ['sgN', true]] as const) {
      sg[name] = (await api('POST', '/v2.0/security-groups', { security_group: { name, stateful } })).security_group.id;
    }
    await addRule('sgB', { direction: 'ingress', protocol: 'udp', port_range_min: 7777, port_range_max: 7777 });
    await addRule('sgB', { direction: 'ingress', protocol: 'tcp', port_range_min: 9090, port_range_max: 9090, remote_group_id: sg.sgA });
    ag = (await api('POST', '/v2.0/address-groups', { address_group: { name: 'ag1', addresses: [] } })).address_group.id;
    await addRule('sgB', { direction: 'ingress', protocol: 'tcp', port_range_min: 8081, port_range_max: 8081, remote_address_group_id: ag });
    // sgS (stateless): only tcp 8080 both ways; sgS's default egress rules go, stateless needs them explicit.
    for (const r of await rulesOf('sgS')) await delRule(r.id);
    await addRule('sgS', { direction: 'ingress', protocol: 'tcp', port_range_min: 8080, port_range_max: 8080 });
    await addRule('sgS', { direction: 'egress', protocol: 'tcp', port_range_min: 8080, port_range_max: 8080 });
    await addRule('sgR', { direction: 'ingress' });

    const subnet = async (netId: string) => api('POST', '/v2.0/subnets', { subnet: { network_id: netId, cidr: '10.50.0.0/24', ip_version: 4, gateway_ip: null } });
    net1 = (await api('POST', '/v2.0/networks', { network: { name: 'sg-net1' } })).network.id;
    net2 = (await api('POST', '/v2.0/networks', { network: { name: 'sg-net2' } })).network.id;
    await subnet(net1);
    await subnet(net2);
    await createPort('A', net1, { security_groups: [sg.sgA], allowed_address_pairs: [{ ip_address: VIP }] });
    await createPort('B', net1, { security_groups: [sg.sgB] });
    await createPort('C', net1, { security_groups: [sg.sgC] });
    await createPort('D', net1, { security_groups: [sg.sgS] });
    await createPort('E', net1, { security_groups: [sg.sgS] });
    await createPort('R', net1, { security_groups: [sg.sgR] });
    await createPort('U', net1, { port_security_enabled: false });
    await createPort('A2', net2, { security_groups: [sg.sgN], fixed_ips: [{ ip_address: ip('A') }] });
    await createPort('B2', net2, { security_groups: [sg.sgN], fixed_ips: [{ ip_address: ip('B') }] });
    assert.deepEqual(port.U.security_groups, []);
    assert.equal(port.U.port_security_enabled, false);

    const placement: [string, SimHost][] = [['A', h1], ['C', h1], ['E', h1], ['R', h1], ['A2', h1], ['B', h2], ['D', h2], ['U', h2], ['B2', h2]];
    for (const [name, h] of placement) vm[name] = await portPlug(topo, h, port[name].id, `sg${name.toLowerCase()}`, { files: files.get(h) });
    for (const [name] of placement) {
      await waitFor(`port ${name} ACTIVE`, async () => (await server.ok('GET', `/v2.0/ports/${port[name].id}`)).port.status === 'ACTIVE', 30_000)
        .catch((e) => { throw new Error(`${e.message}\n${logs()}`); });
    }
    for (const [name] of placement) {
      const lease = await topo.dhcp(vm[name]!);
      assert.equal(lease.ip, ip(name), `${name} leased its port address`);
    }
    await pk.bg(vm.B!, 'serve', '8080', '8081', '8082', '9090');
    await pk.bg(vm.D!, 'serve', '8080');
    await pk.bg(vm.U!, 'serve', '8080');
  });

  after(async () => {
    pk?.killAll();
    await sh(['pkill', '-F', `${topo.baseDir}/rogue.pid`]).catch(() => {});
    for (const a of agents.values()) await a.stop().catch(() => {});
    await topo.destroy();
    await server?.stop();
  });

  it('1. TCP and ICMP from A (host1) to B (host2) pass only while B\'s group allows them; an egress restriction on A stops its new connections', async () => {
    assert.ok(!(await connects('A', 'B', 8080)), 'no rule for tcp 8080 yet');
    let t0 = Date.now();
    const tcpRule = await addRule('sgB', { direction: 'ingress', protocol: 'tcp', port_range_min: 8080, port_range_max: 8080 });
    const tcpOn = await msUntil('tcp 8080 admitted', t0, true, () => connects('A', 'B', 8080));
    t0 = Date.now();
    await delRule(tcpRule);
    const tcpOff = await msUntil('tcp 8080 refused', t0, false, () => connects('A', 'B', 8080));
    assert.ok(!(await ping('A', 'B')), 'no ICMP rule yet');
    t0 = Date.now();
    const icmpRule = await addRule('sgB', { direction: 'ingress', protocol: 'icmp' });
    const icmpOn = await msUntil('ICMP admitted', t0, true, () => ping('A', 'B'));
    t0 = Date.now();
    await delRule(icmpRule);
    const icmpOff = await msUntil('ICMP refused', t0, false, () => ping('A', 'B'));
    console.log(`# API → effect (cross-host): tcp rule add ${tcpOn} ms, delete ${tcpOff} ms; icmp add ${icmpOn} ms, delete ${icmpOff} ms (probe time included)`);
    // Egress on A: replace the two allow-all egress rules with tcp 8080 only.
    await addRule('sgB', { direction: 'ingress', protocol: 'tcp', port_range_min: 8080, port_range_max: 8080 });
    await waitFor('tcp 8080 open', () => connects('A', 'B', 8080), 5_000, 20);
    assert.ok(await connects('A', 'B', 9090), 'A, a member of sgA, reaches 9090');
    const defaults = await rulesOf('sgA');
    assert.deepEqual(defaults.map((r) => `${r.direction}/${r.ethertype}/${r.protocol}`).sort(), ['egress/IPv4/null', 'egress/IPv6/null']);
    const only8080 = await addRule('sgA', { direction: 'egress', protocol: 'tcp', port_range_min: 8080, port_range_max: 8080 });
    t0 = Date.now();
    for (const r of defaults) await delRule(r.id);
    const egressOff = await msUntil('A egress tcp 9090 refused', t0, false, () => connects('A', 'B', 9090));
    console.log(`# egress restriction on A → its tcp 9090 refused after ${egressOff} ms`);
    assert.ok(await connects('A', 'B', 8080), 'egress tcp 8080 still allowed');
    // Restore allow-all egress (IPv4) for the next steps.
    await addRule('sgA', { direction: 'egress' });
    await delRule(only8080);
    await waitFor('A egress open again', () => connects('A', 'B', 9090), 5_000, 20);
    // Bounds checked last so that a slow change leaves the groups as the next steps expect.
    for (const [what, ms] of [['tcp add', tcpOn], ['tcp delete', tcpOff], ['icmp add', icmpOn], ['icmp delete', icmpOff], ['egress restriction', egressOff]] as const) {
      assert.ok(ms < WITHIN, `${what}: in effect after ${ms} ms`);
    }
  });

  it('2. stateful replies return without an ingress rule; a stateless group (stateful=false) needs both directions', async () => {
    assert.ok((await rulesOf('sgA')).every((r) => r.direction === 'egress'), 'sgA has no ingress rule');
    assert.ok(await connects('A', 'B', 8080), 'the SYN-ACK returns to A through conntrack');
    const sgS = (await api('GET', `/v2.0/security-groups/${sg.sgS}`)).security_group;
    assert.equal(sgS.stateful, false);
    // E (host1) → D (host2), both in sgS: tcp 8080 is allowed out of E and into D, but nothing lets the SYN-ACK back.
    assert.ok(!(await connects('E', 'D', 8080)), 'stateless: the reply has no rule');
    const ephemeral = { protocol: 'tcp', port_range_min: 1024, port_range_max: 65535 };
    await addRule('sgS', { direction: 'ingress', ...ephemeral });
    await new Promise((r) => setTimeout(r, WITHIN));
    assert.ok(!(await connects('E', 'D', 8080)), 'stateless: one direction for the reply is not enough');
    const t0 = Date.now();
    await addRule('sgS', { direction: 'egress', ...ephemeral });
    const ms = await msUntil('stateless both ways', t0, true, () => connects('E', 'D', 8080));
    console.log(`# stateless group: second reply rule → connection after ${ms} ms`);
    for (const h of [h1, h2]) {
      const ct = await nsExec(h, 'conntrack', '-L', '-p', 'tcp', '--dport', '8080', '-d', ip('D')).catch(() => '');
      assert.doesNotMatch(ct, new RegExp(`dst=${ip('D').replace(/\./g, '\\.')} `), `${h.name}: no conntrack entry for the stateless flow: ${ct}`);
    }
  });

  it('3. a remote-group rule admits members only and follows membership changes (port update) within a second; so does an address group', async () => {
    assert.ok(await connects('A', 'B', 9090), 'A is a member of sgA');
    assert.ok(!(await connects('C', 'B', 9090)), 'C is not');
    let t0 = Date.now();
    await setGroups('C', ['sgC', 'sgA']);
    const added = await msUntil('C admitted', t0, true, () => connects('C', 'B', 9090));
    t0 = Date.now();
    await setGroups('C', ['sgC']);
    const removed = await msUntil('C refused', t0, false, () => connects('C', 'B', 9090));
    console.log(`# remote group (C on host1, rule on host2): member added → admitted ${added} ms, removed → refused ${removed} ms`);
    assert.ok(added < WITHIN, `member admitted after ${added} ms`);
    assert.ok(removed < WITHIN, `member refused after ${removed} ms`);
    assert.ok(await connects('A', 'B', 9090), 'A still admitted');

    // remote_address_group_id: tcp 8081 from the addresses of ag1 only.
    assert.ok(!(await connects('C', 'B', 8081)), 'ag1 is empty');
    t0 = Date.now();
    await api('PUT', `/v2.0/address-groups/${ag}/add_addresses`, { addresses: [`${ip('C')}/32`] });
    const agAdd = await msUntil('C admitted by ag1', t0, true, () => connects('C', 'B', 8081));
    assert.ok(!(await connects('A', 'B', 8081)), 'A is not in ag1');
    t0 = Date.now();
    await api('PUT', `/v2.0/address-groups/${ag}/remove_addresses`, { addresses: [`${ip('C')}/32`] });
    const agRemove = await msUntil('C refused by ag1', t0, false, () => connects('C', 'B', 8081));
    console.log(`# address group: address added → admitted ${agAdd} ms, removed → refused ${agRemove} ms`);
    assert.ok(agAdd < WITHIN && agRemove < WITHIN, `${agAdd} / ${agRemove} ms`);
  });

  it('4. spoofed source IP and MAC and forged ARP from A are dropped; the allowed address pair lets the VIP through', async () => {
    const A = port.A, B = port.B;
    const send = (srcMac: string, srcIp: string, tag: string) => pk.run(vm.A!, 'rawudp', 'eth0', srcMac, B.mac_address, srcIp, ip('B'), '4000', '7777', tag);
    const counts = await pk.capture(vm.B!, [hex('LEGIT'), hex('SPOOFIP'), hex('SPOOFMAC'), hex('VIPOK')], async () => {
      await send(A.mac_address, ip('A'), 'LEGIT');
      await send(A.mac_address, '10.50.0.77', 'SPOOFIP');
      await send('fa:16:3e:66:66:66', ip('A'), 'SPOOFMAC');
      await send(A.mac_address, VIP, 'VIPOK');
    });
    assert.deepEqual(counts, [1, 0, 0, 1], 'LEGIT, SPOOFIP, SPOOFMAC, VIP (host1 → host2)');
    const arp = await pk.capture(vm.B!, [macHex(A.mac_address) + ipHex(ip('C')), macHex(A.mac_address) + ipHex(ip('A'))], async () => {
      await pk.run(vm.A!, 'rawarp', 'eth0', '2', A.mac_address, ip('C'), B.mac_address, ip('B'));
      await pk.run(vm.A!, 'rawarp', 'eth0', '2', A.mac_address, ip('A'), B.mac_address, ip('B'));
    });
    assert.equal(arp[0], 0, 'forged ARP reply (A claims C\'s address) dropped');
    assert.ok(arp[1]! >= 1, 'genuine ARP reply delivered');
    // The VIP end to end: a rule admitting ICMP from the VIP only (remote_ip_prefix); A pings from it.
    const vipRule = await addRule('sgB', { direction: 'ingress', protocol: 'icmp', remote_ip_prefix: `${VIP}/32` });
    await sh(['ip', '-n', vm.A!.ns, 'addr', 'add', `${VIP}/24`, 'dev', 'eth0']);
    const vipPing = () => sh(['ip', 'netns', 'exec', vm.A!.ns, 'ping', '-c', '1', '-W', '1', '-I', VIP, ip('B')]).then(() => true, () => false);
    assert.ok(await waitFor('ping from the VIP', vipPing, 8_000, 100).catch(() => false), `ping from the VIP\n${logs()}`);
    assert.ok(!(await ping('A', 'B')), 'ICMP from A\'s own address is not in the prefix');
    await sh(['ip', '-n', vm.A!.ns, 'addr', 'del', `${VIP}/24`, 'dev', 'eth0']);
    await delRule(vipRule);
  });

  it('4b. an instance running a DHCP server does not reach other instances\' DHCP requests', async () => {
    await sh(['ip', 'netns', 'exec', vm.R!.ns, 'dnsmasq', '--no-resolv', '--no-hosts', '--port=0', '--no-ping', '--interface=eth0', '--bind-interfaces',
      '--dhcp-range=10.50.0.210,10.50.0.220,255.255.255.0,600', `--pid-file=${topo.baseDir}/rogue.pid`, `--dhcp-leasefile=${topo.baseDir}/rogue.leases`]);
    const fromRogue = `${macHex(port.R.mac_address)}0800`;
    for (const name of ['C', 'B']) { // same host as the rogue, and across VXLAN
      let lease: Record<string, string> = {};
      const [frames] = await pk.capture(vm[name]!, [fromRogue], async () => (lease = await topo.dhcp(vm[name]!)), 4);
      assert.equal(lease.ip, ip(name), `${name} leased its port address from the agent's dnsmasq`);
      assert.equal(frames, 0, `nothing from the rogue DHCP server reached ${name}`);
    }
  });

  it('5. port_security_enabled=false (no groups) lets all traffic through for that port only; 409 while groups remain', async () => {
    const B = port.B;
    const counts = await pk.capture(vm.B!, [hex('U-SPOOF'), hex('A-SPOOF')], async () => {
      await pk.run(vm.U!, 'rawudp', 'eth0', 'fa:16:3e:77:77:77', B.mac_address, '10.50.0.88', ip('B'), '4000', '7777', 'U-SPOOF');
      await pk.run(vm.A!, 'rawudp', 'eth0', 'fa:16:3e:77:77:77', B.mac_address, '10.50.0.88', ip('B'), '4000', '7777', 'A-SPOOF');
    });
    assert.deepEqual(counts, [1, 0], 'U (host2) unfiltered, A (host1) still filtered');
    assert.ok(await connects('C', 'U', 8080), 'U accepts any ingress');
    assert.ok(!(await connects('C', 'B', 8082)), 'B, with port security, still refuses tcp 8082');
    const refused = await server.api('PUT', `/v2.0/ports/${port.R.id}`, { port: { port_security_enabled: false } }, P);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    // Control for 4b: the rogue's port loses its groups and port security; its offers now reach C.
    await api('PUT', `/v2.0/ports/${port.R.id}`, { port: { port_security_enabled: false, security_groups: [] } });
    const fromRogue = `${macHex(port.R.mac_address)}0800`;
    const heard = await waitFor('the rogue DHCP server heard', async () => {
      const [n] = await pk.capture(vm.C!, [fromRogue], () => topo.dhcp(vm.C!).catch(() => ({})), 3);
      return n! > 0;
    }, 15_000, 0);
    assert.ok(heard);
    await sh(['pkill', '-F', `${topo.baseDir}/rogue.pid`]).catch(() => {});
    await api('PUT', `/v2.0/ports/${port.R.id}`, { port: { port_security_enabled: true, security_groups: [sg.sgR] } });
    assert.equal((await topo.dhcp(vm.C!)).ip, ip('C'));
  });

  it('6. overlapping addresses in two networks on one host do not share conntrack state', async () => {
    assert.equal(ip('A2'), ip('A'));
    assert.equal(ip('B2'), ip('B'));
    // net1: A → B udp 5555→7777 (sgB allows it); B's reply reaches A through conntrack (sgA has no ingress rule).
    // net2: B2 sends the identical "reply" to A2 (sgN has no ingress rule): a new flow in net2's zone.
    const [inNet1] = await pk.capture(vm.A!, [hex('REPLY1')], async () => {
      await pk.run(vm.A!, 'udp', '5555', ip('B'), '7777', 'REQ');
      await pk.run(vm.B!, 'udp', '7777', ip('A'), '5555', 'REPLY1');
    });
    const [inNet2] = await pk.capture(vm.A2!, [hex('REPLY2')], () => pk.run(vm.B2!, 'udp', '7777', ip('A2'), '5555', 'REPLY2'));
    assert.equal(inNet1, 1, 'the reply in net1 passes as established');
    assert.equal(inNet2, 0, 'the same tuple in net2 is a new flow and dropped');
    const ct = await nsExec(h1, 'conntrack', '-L', '-p', 'udp', '--dport', '7777');
    assert.match(ct, /sport=5555 dport=7777 .*zone=[1-9]\d*/, `net1's flow lives in its own zone: ${ct}`);
  });

  it('7. agent restart: an established TCP connection survives and the restarted agents change nothing; it also survives a rule change', async () => {
    const chat = await pk.bg(vm.A!, 'chat', ip('B'), '8080');
    const lines: string[] = [];
    chat.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    const say = async (w: string) => {
      chat.stdin!.write(`${w}\n`);
      await waitFor(`echo ${w}`, async () => lines.includes(`echo ${w}`), 5_000, 20);
    };
    await say('before');
    for (const h of [h1, h2]) {
      const ruleset = await nsExec(h, 'nft', '-a', 'list', 'ruleset');
      await agents.get(h)!.stop();
      agents.set(h, await startAgent(h, files.get(h)!));
      const line = await waitFor(`${h.name}: first full resync`, async () =>
        agents.get(h)!.output().split('\n').find((l) => l.includes('"first full resync done"')), 30_000);
      assert.equal(JSON.parse(line).changes, 0, `restarted agent on ${h.name} changed the kernel:\n${agents.get(h)!.output()}`);
      // Rule handles change on any re-creation: identical handles = the tables were not touched.
      assert.equal(await nsExec(h, 'nft', '-a', 'list', 'ruleset'), ruleset, `${h.name} ruleset touched`);
      await say(`after-${h.name}`);
    }
    // A rule change replaces both tables in one transaction: the connection it does not concern keeps going.
    const before = await nsExec(h2, 'nft', '-a', 'list', 'ruleset');
    const extra = await addRule('sgB', { direction: 'ingress', protocol: 'udp', port_range_min: 9999, port_range_max: 9999 });
    await waitFor('rule change programmed on host2', async () => (await nsExec(h2, 'nft', '-a', 'list', 'ruleset')) !== before, 10_000, 50);
    await say('after-rule-add');
    await delRule(extra);
    await waitFor('rule removal programmed on host2', async () => !(await nsExec(h2, 'nft', 'list', 'ruleset')).includes('9999'), 10_000, 50);
    await say('after-rule-delete');
    assert.ok(!lines.some((l) => l.startsWith('error')), lines.join('\n'));
    for (const a of agents.values()) assert.doesNotMatch(a.output(), /"level":(40|50)/, 'no warning or error logged');
  });

  it('8. deleting a member port and then its group through the API reaches the host filtering on it as remote', async () => {
    pk.killAll(); // the chat of step 7 (and the servers: not needed any more)
    const set = async () => nsExec(h2, 'nft', 'list', 'set', 'inet', 'nucleon', `rg_${sg.sgA}_v4`).catch(() => 'no such set');
    assert.match(await set(), new RegExp(ip('A').replace(/\./g, '\\.')), 'A is in sgA\'s member set on host2');
    let t0 = Date.now();
    await api('DELETE', `/v2.0/ports/${port.A.id}`);
    const gone = await msUntil('A out of the member set on host2', t0, false, async () => (await set()).includes(`${ip('A')}`));
    const refs = (await rulesOf('sgB')).filter((r) => r.remote_group_id === sg.sgA);
    assert.equal(refs.length, 1, 'sgB still names sgA as remote group');
    t0 = Date.now();
    await api('DELETE', `/v2.0/security-groups/${sg.sgA}`);
    assert.deepEqual((await rulesOf('sgB')).filter((r) => r.remote_group_id === sg.sgA), [], 'rules naming a deleted group go with it');
    const setGone = await msUntil('sgA\'s set gone on host2', t0, true, async () => (await set()) === 'no such set');
    console.log(`# member port deleted → out of the remote set on host2 after ${gone} ms; group deleted → its set gone after ${setGone} ms`);
    assert.ok(gone < WITHIN && setGone < WITHIN, `${gone} / ${setGone} ms`);
  });

  it('9. ports created without groups get the project\'s default group (members reach each other, others do not); a reused address is leased again', async () => {
    // X takes deleted port A's address: its lease (A's MAC) must not keep dnsmasq from offering it.
    await createPort('X', net1, { fixed_ips: [{ ip_address: ip('A') }] });
    await createPort('Y', net1, {});
    const [def] = (await api('GET', '/v2.0/security-groups?name=default')).security_groups as any[];
    assert.deepEqual(port.X.security_groups, [def.id]);
    vm.X = await portPlug(topo, h1, port.X.id, 'sgx', { files: files.get(h1) });
    vm.Y = await portPlug(topo, h2, port.Y.id, 'sgy', { files: files.get(h2) });
    for (const name of ['X', 'Y']) {
      await waitFor(`port ${name} ACTIVE`, async () => (await server.ok('GET', `/v2.0/ports/${port[name].id}`)).port.status === 'ACTIVE', 30_000);
      const lease = await topo.dhcp(vm[name]!).catch(async (e) => {
        const leases = await sh(['sh', '-c', `cat ${h1.stateDir}/dhcp/*/leases ${h2.stateDir}/dhcp/*/leases 2>/dev/null`]).catch(() => '');
        throw new Error(`${e.message}\nleases (X ${port[name].mac_address} ${ip(name)}):\n${leases}\n${logs()}`);
      });
      assert.equal(lease.ip, ip(name));
    }
    assert.ok(await waitFor('X pings Y', () => ping('X', 'Y'), 3_000, 20).catch(() => false), 'default group members reach each other (host1 → host2)');
    assert.ok(await ping('Y', 'X'), 'and back');
    assert.ok(!(await ping('C', 'Y')), 'C (sgC) is not a member of default');
  });
});
