/**
 * The issue's API scenario as timed phases. Sizes are parameters so that the warm-up runs the same
 * code paths, smaller, in a project of its own. Every answer is checked (status, list length): a
 * figure for requests that failed would mean nothing.
 */
import { ApiClient, UnexpectedStatus } from './client.js';
import { runPhase, type PhaseResult, type ServerProbe } from './measure.js';

export interface Sizes {
  networks: number;
  ports: number;
  lists: number;
  shows: number;
  updates: number;
  securityGroups: number;
  rulesPerGroup: number;
  /** Workers for the concurrent phases. */
  concurrency: number;
}

export const ISSUE_SIZES: Sizes = { networks: 200, ports: 1000, lists: 50, shows: 500, updates: 200, securityGroups: 50, rulesPerGroup: 10, concurrency: 8 };
export const WARMUP_SIZES: Sizes = { networks: 50, ports: 300, lists: 10, shows: 500, updates: 100, securityGroups: 10, rulesPerGroup: 10, concurrency: 8 };

/** Phase names, in order; the report keys targets and comparisons on them. */
export const PHASES = {
  networkCreate: 'network create',
  subnetCreate: 'subnet create (/16)',
  portCreate: 'port create',
  portList: 'port list (1000)',
  portShow: 'port show',
  portUpdate: 'port update',
  sgCreate: 'security group create',
  sgRuleCreate: 'sg rule create',
  portDelete: 'port delete',
  subnetDelete: 'subnet delete',
  networkDelete: 'network delete',
  sgDelete: 'security group delete',
} as const;

/** Called around each phase (the query profiler attributes database statements to phases). */
export interface PhaseHooks { before?(name: string): void; after?(result: PhaseResult): void }

export async function runScenario(api: ApiClient, s: Sizes, probe: ServerProbe, hooks: PhaseHooks = {}): Promise<PhaseResult[]> {
  const results: PhaseResult[] = [];
  const phase = async (name: string, count: number, concurrency: number, op: (i: number) => Promise<unknown>) => {
    hooks.before?.(name);
    const result = await runPhase(name, count, concurrency, op, probe);
    hooks.after?.(result);
    results.push(result);
  };
  const c = s.concurrency;

  const networks: string[] = [];
  await phase(PHASES.networkCreate, s.networks, 1, async (i) => {
    const body = await api.expect(201, 'POST', '/v2.0/networks', { network: { name: `bench-net-${i}` } });
    networks[i] = body.network.id;
  });
  const net = networks[0]!;

  let subnet = '';
  await phase(PHASES.subnetCreate, 1, 1, async () => {
    const body = await api.expect(201, 'POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '10.0.0.0/16', ip_version: 4, name: 'bench-subnet' } });
    subnet = body.subnet.id;
  });

  const ports: string[] = [];
  await phase(PHASES.portCreate, s.ports, c, async (i) => {
    const body = await api.expect(201, 'POST', '/v2.0/ports', { port: { network_id: net, name: `bench-port-${i}` } });
    if (body.port.fixed_ips.length !== 1) throw new UnexpectedStatus(`port ${body.port.id} has ${body.port.fixed_ips.length} fixed IPs`);
    ports[i] = body.port.id;
  });

  await phase(PHASES.portList, s.lists, 1, async () => {
    const body = await api.expect(200, 'GET', `/v2.0/ports?network_id=${net}`);
    if (body.ports.length !== s.ports) throw new UnexpectedStatus(`port list returned ${body.ports.length} ports, expected ${s.ports}`);
  });

  await phase(PHASES.portShow, s.shows, c, (i) => api.expect(200, 'GET', `/v2.0/ports/${ports[i % ports.length]}`));

  await phase(PHASES.portUpdate, s.updates, c, (i) =>
    api.expect(200, 'PUT', `/v2.0/ports/${ports[i % ports.length]}`, { port: { name: `bench-port-${i}-renamed`, description: `update ${i}` } }));

  const groups: string[] = [];
  await phase(PHASES.sgCreate, s.securityGroups, c, async (i) => {
    const body = await api.expect(201, 'POST', '/v2.0/security-groups', { security_group: { name: `bench-sg-${i}` } });
    groups[i] = body.security_group.id;
  });

  await phase(PHASES.sgRuleCreate, s.securityGroups * s.rulesPerGroup, c, (i) => {
    const group = groups[Math.floor(i / s.rulesPerGroup)]!;
    const port = 1000 + (i % s.rulesPerGroup);
    return api.expect(201, 'POST', '/v2.0/security-group-rules', {
      security_group_rule: { security_group_id: group, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: port, port_range_max: port, remote_ip_prefix: '10.0.0.0/8' },
    });
  });

  await phase(PHASES.portDelete, ports.length, c, (i) => api.expect(204, 'DELETE', `/v2.0/ports/${ports[i]}`));
  await phase(PHASES.subnetDelete, 1, 1, () => api.expect(204, 'DELETE', `/v2.0/subnets/${subnet}`));
  await phase(PHASES.networkDelete, networks.length, c, (i) => api.expect(204, 'DELETE', `/v2.0/networks/${networks[i]}`));
  await phase(PHASES.sgDelete, groups.length, c, (i) => api.expect(204, 'DELETE', `/v2.0/security-groups/${groups[i]}`));

  // Everything the scenario made is gone (the project's default group stays, as in Neutron).
  const left = await api.expect(200, 'GET', '/v2.0/networks?fields=id');
  if (left.networks.length !== 0) throw new UnexpectedStatus(`${left.networks.length} networks left after the delete phase`);
  return results;
}
