import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PortForwardingState } from '../../../src/hoststate/l3.js';
import { canonicalTable, natTargets, nftReplaceDocument, parsePortRange, portForwardingRule, renderRouterNat, tableFromListing } from '../../../src/agent/render/router-nft.js';
import { sampleRouter } from '../fixtures-l3.js';

const pf = (over: Partial<PortForwardingState>): PortForwardingState => ({
  id: 'pf', floatingip_id: 'f', floating_ip_address: '203.0.113.21', protocol: 'tcp', external_port: null, external_port_range: null,
  internal_port: null, internal_port_range: null, internal_ip_address: '10.1.0.12', internal_port_id: 'p', ...over,
});
const rulesOf = (t: ReturnType<typeof renderRouterNat>, chain: string) => t.chains.find((c) => c.name === chain)!.rules.map((r) => JSON.stringify(r));

describe('renderRouterNat', () => {
  it('renders metadata redirect, FIP DNAT/SNAT, gateway SNAT and hairpin SNAT per attached subnet', () => {
    const t = renderRouterNat(sampleRouter(), { qgName: 'qg-gggggggggggg', metadataPort: 9697 });
    const pre = rulesOf(t, 'prerouting');
    assert.equal(pre.length, 2);
    assert.match(pre[0]!, /"redirect":\{"port":9697\}/);
    assert.match(pre[1]!, /203\.0\.113\.20.*"dnat":\{"addr":"10\.1\.0\.11"\}/);
    assert.equal(rulesOf(t, 'output').length, 1);
    const post = rulesOf(t, 'postrouting');
    assert.equal(post.length, 3);
    assert.match(post[0]!, /"saddr"\}\},"right":"10\.1\.0\.11"\}\},\{"snat":\{"addr":"203\.0\.113\.20"\}/);
    assert.match(post[1]!, /"oifname"\}\},"right":"qg-gggggggggggg"\}\},\{"snat":\{"addr":"203\.0\.113\.10"\}/);
    assert.match(post[2]!, /"op":"!=".*"ct".*"prefix":\{"addr":"10\.1\.0\.0","len":24\}/);
    assert.deepEqual(rulesOf(t, 'input').length, 1);
  });

  it('enable_snat false keeps FIPs but no gateway SNAT; no gateway → no NAT at all; no metadata → no input chain', () => {
    const r = sampleRouter();
    const noSnat = renderRouterNat({ ...r, gateway: { ...r.gateway!, enable_snat: false } }, { qgName: 'qg-x' });
    assert.equal(rulesOf(noSnat, 'postrouting').length, 1);
    assert.equal(noSnat.chains.some((c) => c.name === 'input'), false);
    const noGw = renderRouterNat({ ...r, gateway: null }, { metadataPort: 9697 });
    assert.equal(rulesOf(noGw, 'prerouting').length, 1);
    assert.equal(rulesOf(noGw, 'postrouting').length, 0);
  });

  it('is independent of the order of the lists', () => {
    const fips = [
      { id: 'a', floating_ip_address: '203.0.113.30', fixed_ip_address: '10.1.0.30', port_id: 'a' },
      { id: 'b', floating_ip_address: '203.0.113.31', fixed_ip_address: '10.1.0.31', port_id: 'b' },
    ];
    const a = renderRouterNat(sampleRouter({ floating_ips: fips }), { qgName: 'qg-x' });
    const b = renderRouterNat(sampleRouter({ floating_ips: [...fips].reverse() }), { qgName: 'qg-x' });
    assert.equal(canonicalTable(a), canonicalTable(b));
  });

  it('port forwardings: single port, same-port range, shifted range (port map), N:1; bad ranges refused', () => {
    assert.deepEqual(portForwardingRule(pf({ external_port: 2222, internal_port: 22 })).at(-1), { dnat: { addr: '10.1.0.12', port: 22 } });
    assert.deepEqual(portForwardingRule(pf({ external_port_range: '4000:4005', internal_port_range: '4000:4005' })).at(-1), { dnat: { addr: '10.1.0.12' } });
    const shifted = portForwardingRule(pf({ protocol: 'udp', external_port_range: '3000:3001', internal_port_range: '8000:8001' }));
    assert.deepEqual(shifted[1], { match: { op: '==', left: { payload: { protocol: 'udp', field: 'dport' } }, right: { range: [3000, 3001] } } });
    assert.deepEqual(shifted[2], { dnat: { addr: '10.1.0.12', port: { map: { key: { payload: { protocol: 'udp', field: 'dport' } }, data: { set: [[3000, 8000], [3001, 8001]] } } } } });
    assert.deepEqual(portForwardingRule(pf({ external_port_range: '5000:5005', internal_port: 22 })).at(-1), { dnat: { addr: '10.1.0.12', port: 22 } });
    assert.throws(() => portForwardingRule(pf({ external_port_range: '1:3', internal_port_range: '10:11' })), /differ in size/);
    assert.throws(() => parsePortRange('9:1'), /invalid port range/);
    assert.deepEqual(parsePortRange('80'), [80, 80]);
  });

  it('the replace document re-creates the table atomically; a listing of it compares equal', () => {
    const t = renderRouterNat(sampleRouter(), { qgName: 'qg-x', metadataPort: 9697 });
    const doc = nftReplaceDocument(t).nftables as Record<string, any>[];
    assert.deepEqual(doc.slice(0, 3).map((c) => Object.keys(c)[0]), ['add', 'delete', 'add']);
    // What `nft -j list table` prints: the same objects with handles, chains before rules.
    const listing = doc.slice(3).map((c, i) => {
      const [kind, body] = Object.entries(c.add)[0] as [string, Record<string, unknown>];
      return { [kind]: { ...body, handle: i + 1 } };
    });
    assert.equal(canonicalTable(tableFromListing(listing)), canonicalTable(t));
    const other = renderRouterNat(sampleRouter({ floating_ips: [] }), { qgName: 'qg-x', metadataPort: 9697 });
    assert.notEqual(canonicalTable(tableFromListing(listing)), canonicalTable(other));
  });

  it('natTargets maps each floating address to its DNAT rules (not the metadata address)', () => {
    const t = renderRouterNat(sampleRouter({ port_forwardings: [pf({ external_port: 2222, internal_port: 22 })] }), { qgName: 'qg-x', metadataPort: 9697 });
    assert.deepEqual([...natTargets(t).keys()].sort(), ['203.0.113.20', '203.0.113.21']);
    assert.equal(natTargets(undefined).size, 0);
  });
});
