/** Queries on agents and the networks their DHCP agents serve. */
import type { Db, Tx } from '../db.js';
import type { AgentRow } from '../schema.js';

export async function agentRow(db: Db | Tx, id: string, forUpdate = false): Promise<AgentRow | undefined> {
  let q = db.selectFrom('agents').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function agentByTypeHost(db: Db | Tx, agentType: string, host: string, forUpdate = false): Promise<AgentRow | undefined> {
  let q = db.selectFrom('agents').selectAll().where('agent_type', '=', agentType).where('host', '=', host);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function agentsOnHosts(db: Db | Tx, hosts: string[]): Promise<AgentRow[]> {
  if (!hosts.length) return [];
  return db.selectFrom('agents').selectAll().where('host', 'in', hosts).orderBy('host').orderBy('agent_type').execute();
}

export async function agentsOfType(db: Db | Tx, agentType: string): Promise<AgentRow[]> {
  return db.selectFrom('agents').selectAll().where('agent_type', '=', agentType).orderBy('host').execute();
}

/** DHCP agents serving a network. */
export async function dhcpAgentsOfNetwork(db: Db | Tx, networkId: string): Promise<AgentRow[]> {
  return db.selectFrom('agents').innerJoin('network_dhcp_agents', 'network_dhcp_agents.dhcp_agent_id', 'agents.id')
    .selectAll('agents').where('network_dhcp_agents.network_id', '=', networkId).orderBy('agents.host').execute();
}

export async function networksOfDhcpAgent(db: Db | Tx, agentId: string): Promise<string[]> {
  const rows = await db.selectFrom('network_dhcp_agents').select('network_id').where('dhcp_agent_id', '=', agentId).orderBy('network_id').execute();
  return rows.map((r) => r.network_id);
}

/** Networks served per DHCP agent id (its load as the scheduler counts it). */
export async function dhcpNetworkCounts(db: Db | Tx): Promise<Map<string, number>> {
  const rows = await db.selectFrom('network_dhcp_agents').select(['dhcp_agent_id']).select((eb) => eb.fn.countAll().as('n')).groupBy('dhcp_agent_id').execute();
  return new Map(rows.map((r) => [r.dhcp_agent_id, Number(r.n)]));
}
