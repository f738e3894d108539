/** Simulated agents for the L3 HTTP tests: reports as src/agent/reconciler.ts sends them, heartbeat ageing. */
import assert from 'node:assert/strict';
import type { TestApi } from '../support/api-server.js';

export const SERVICE = { project: 'service', roles: ['service'] };

export const l2Report = (host: string, tunnelIp: string, observed = 0, devices: unknown[] = []) => ({
  host, agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', topic: 'N/A',
  configurations: { interface_mappings: { physnet1: 'eth1', physnet2: 'eth2' }, bridge_mappings: {}, tunneling_ip: tunnelIp, tunnel_types: ['vxlan'], l2_population: true, devices: devices.length },
  observed_revision: observed, devices, errors: [],
});

export const l3Report = (host: string, observed = 0, extra: Record<string, unknown> = {}) => ({
  host, agent_type: 'L3 agent', binary: 'neutron-l3-agent', topic: 'l3_agent',
  configurations: { agent_mode: 'legacy', interface_driver: 'linuxbridge', routers: 0, ex_gw_ports: 0, interfaces: 0, floating_ips: 0, log_agent_heartbeats: false },
  observed_revision: observed, devices: [], errors: [], ...extra,
});

export function agentHelpers(api: () => TestApi) {
  const report = async (host: string, body: unknown) => {
    const res = await api().request(SERVICE, 'POST', `/internal/agents/${host}/report`, body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { agent_id: string; admin_state_up: boolean; status: string };
  };
  /** An L3 host: its L2 agent (for the router ports' binding) and its L3 agent; returns the L3 agent id. */
  const l3Host = async (host: string, tunnelIp: string, l3: Record<string, unknown> = {}) => {
    await report(host, l2Report(host, tunnelIp));
    return (await report(host, l3Report(host, 0, l3))).agent_id;
  };
  const state = (host: string, since?: number) => api().request(SERVICE, 'GET', `/internal/hosts/${host}/state${since === undefined ? '' : `?since=${since}`}`);
  /** Moves a host's agents' last heartbeat `seconds` into the past. */
  const age = (host: string, seconds: number) => api().runtime.store.db.updateTable('agents')
    .set({ heartbeat_timestamp: new Date(Date.now() - seconds * 1000).toISOString() }).where('host', '=', host).execute();
  return { report, l3Host, state, age };
}
