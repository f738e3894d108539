// Server groups: [database], [ml2], [ml2_type_*], [quotas]. Names and defaults are Neutron's
// (oslo.db, neutron/conf/plugins/ml2/config.py, neutron/conf/quota.py).
import { parseDatabaseUrl } from '../urls.js';
import { bool, group, int, list, str, type OptionValue } from '../types.js';

/** A validator for lists of "min:max" ranges, optionally prefixed by a physnet. */
function ranges(label: string, lo: number, hi: number, withPhysnet: boolean) {
  return (v: OptionValue): string | undefined => {
    if (!Array.isArray(v)) return undefined;
    for (const entry of v as string[]) {
      const parts = entry.split(':');
      let nums = parts;
      if (withPhysnet) {
        if (parts[0] === '') return `"${entry}": physical network name is empty`;
        if (parts.length === 1) continue;
        nums = parts.slice(1);
      }
      if (nums.length !== 2) return `"${entry}" is not ${withPhysnet ? 'physnet[:min:max]' : 'min:max'}`;
      const [a, b] = nums.map((n) => (/^\d+$/.test(n.trim()) ? Number(n) : NaN)) as [number, number];
      if (Number.isNaN(a) || Number.isNaN(b)) return `"${entry}": ${label} bounds must be integers`;
      if (a < lo || b > hi || a > b) return `"${entry}": ${label} range must lie within ${lo}:${hi} with min <= max`;
    }
    return undefined;
  };
}

const physnetMtus = (v: OptionValue): string | undefined => {
  for (const entry of (v as string[]) ?? []) {
    const m = /^([^:]+):(\d+)$/.exec(entry);
    if (!m) return `"${entry}" is not physnet:mtu`;
  }
  return undefined;
};

const dbUrlCheck = (v: OptionValue): string | undefined => {
  if (typeof v !== 'string' || v === '') return undefined;
  try {
    parseDatabaseUrl(v);
    return undefined;
  } catch (e) {
    return (e as Error & { reason?: string }).reason ?? (e as Error).message;
  }
};

export const database = group(
  'database',
  'Database connection (oslo.db)',
  ['connection', 'max_pool_size', 'max_overflow', 'pool_timeout', 'max_retries', 'retry_interval', 'connection_recycle_time', 'db_max_retries'],
  [
    str('connection', null, 'SQLAlchemy-style URL: sqlite:///path, postgresql://..., mysql+pymysql://...', {
      secret: true,
      validate: dbUrlCheck,
      deprecated: [{ section: 'DEFAULT', name: 'sql_connection' }, { section: 'database', name: 'sql_connection' }, { section: 'sql', name: 'connection' }],
    }),
    str('slave_connection', null, 'Read-only replica URL', { secret: true }),
    str('backend', 'sqlalchemy', 'Database back end', { deprecated: [{ section: 'DEFAULT', name: 'db_backend' }] }),
    str('engine', '', 'Database engine for migrations'),
    str('mysql_sql_mode', 'TRADITIONAL', 'MySQL SQL mode'),
    bool('mysql_enable_ndb', false, 'MySQL NDB cluster support'),
    int('connection_recycle_time', 3600, 'Seconds before pooled connections are replaced'),
    int('max_pool_size', 5, 'Connections kept in the pool'),
    int('max_retries', 10, 'Connection attempts at start; -1 forever', { deprecated: [{ section: 'DEFAULT', name: 'sql_max_retries' }, { section: 'database', name: 'sql_max_retries' }] }),
    int('retry_interval', 10, 'Seconds between connection attempts', { deprecated: [{ section: 'DEFAULT', name: 'sql_retry_interval' }, { section: 'database', name: 'reconnect_interval' }] }),
    int('max_overflow', 50, 'Connections allowed above max_pool_size', { deprecated: [{ section: 'DEFAULT', name: 'sql_max_overflow' }, { section: 'database', name: 'sqlalchemy_max_overflow' }] }),
    int('connection_debug', 0, 'SQL debug level', { min: 0, max: 100, deprecated: [{ section: 'DEFAULT', name: 'sql_connection_debug' }] }),
    bool('connection_trace', false, 'Trace SQL in comments', { deprecated: [{ section: 'DEFAULT', name: 'sql_connection_trace' }] }),
    int('pool_timeout', null, 'Seconds to wait for a pooled connection', { deprecated: [{ section: 'database', name: 'sqlalchemy_pool_timeout' }] }),
    bool('use_db_reconnect', false, 'Reconnect on lost connections'),
    int('db_retry_interval', 1, 'Seconds between retries of a transaction'),
    bool('db_inc_retry_interval', true, 'Double the retry interval'),
    int('db_max_retry_interval', 10, 'Largest retry interval'),
    int('db_max_retries', 20, 'Retries of a failed transaction'),
    str('connection_parameters', '', 'Extra URL query parameters'),
    bool('sqlite_synchronous', true, 'SQLite synchronous mode', { deprecated: [{ section: 'DEFAULT', name: 'sqlite_synchronous' }] }),
  ],
);

export const ml2 = group('ml2', 'Modular Layer 2 plugin', 'all', [
  list('type_drivers', ['local', 'flat', 'vlan', 'gre', 'vxlan', 'geneve'], 'Network type drivers to load'),
  list('tenant_network_types', ['local'], 'Types for project networks, in order of preference'),
  list('mechanism_drivers', [], 'Mechanism drivers, in order (linuxbridge, l2population, ...)'),
  list('extension_drivers', [], 'Extension drivers: port_security and dns are always loaded by Nucleon; others are not implemented'),
  int('path_mtu', 0, 'Largest IP packet on the overlay underlay; 0 means global_physnet_mtu'),
  list('physical_network_mtus', [], 'physnet:mtu pairs overriding global_physnet_mtu', { validate: physnetMtus }),
  str('external_network_type', null, 'Type of external networks created without provider attributes'),
  int('overlay_ip_version', 4, 'IP version of tunnel endpoints'),
]);

export const ml2TypeFlat = group('ml2_type_flat', 'Flat networks', 'all', [
  list('flat_networks', ['*'], 'Physical networks allowed for flat networks; * for any, empty for none'),
]);

export const ml2TypeVlan = group('ml2_type_vlan', 'VLAN networks', 'all', [
  list('network_vlan_ranges', [], 'physnet[:min:max] entries; ranges are for project networks', { validate: ranges('VLAN', 1, 4094, true) }),
]);

export const ml2TypeGre = group('ml2_type_gre', 'GRE networks', 'all', [
  list('tunnel_id_ranges', [], 'min:max GRE tunnel ids for project networks', { validate: ranges('GRE id', 1, 2 ** 32 - 1, false) }),
]);

export const ml2TypeVxlan = group('ml2_type_vxlan', 'VXLAN networks', 'all', [
  list('vni_ranges', [], 'min:max VNIs for project networks', { validate: ranges('VNI', 1, 2 ** 24 - 1, false) }),
  str('vxlan_group', null, 'Multicast group for VXLAN'),
]);

export const ml2TypeGeneve = group('ml2_type_geneve', 'Geneve networks', 'all', [
  list('vni_ranges', [], 'min:max VNIs for project networks', { validate: ranges('VNI', 1, 2 ** 24 - 1, false) }),
  int('max_header_size', 30, 'Geneve header size in bytes'),
]);

export const quotas = group(
  'quotas',
  'Resource quotas per project',
  ['default_quota', 'quota_network', 'quota_subnet', 'quota_port', 'quota_router', 'quota_floatingip', 'quota_security_group', 'quota_security_group_rule', 'track_quota_usage'],
  [
    int('default_quota', -1, 'Quota of resources without their own option; -1 unlimited'),
    int('quota_network', 100, 'Networks per project; -1 unlimited'),
    int('quota_subnet', 100, 'Subnets per project; -1 unlimited'),
    int('quota_port', 500, 'Ports per project; -1 unlimited'),
    str('quota_driver', 'neutron.db.quota.driver_nolock.DbQuotaNoLockDriver', 'Quota driver'),
    bool('track_quota_usage', true, 'Track usage in the database'),
    int('quota_router', 10, 'Routers per project; -1 unlimited'),
    int('quota_floatingip', 50, 'Floating IPs per project; -1 unlimited'),
    int('quota_security_group', 10, 'Security groups per project; -1 unlimited'),
    int('quota_security_group_rule', 100, 'Security group rules per project; -1 unlimited'),
  ],
);
