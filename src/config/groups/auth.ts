// Identity groups: [keystone_authtoken] (keystonemiddleware plus the keystoneauth "password"
// plugin options it loads), [nova] and [placement] (service credentials). Defaults are upstream's.
import { bool, group, int, list, str, uri, type OptExtra } from '../types.js';

// keystoneauth password plugin options; written with dashes upstream, read with underscores.
function passwordPlugin(authUrlHelp: string) {
  const none = (n: string, h: string, x?: OptExtra) => str(n, null, h, x);
  return [
    str('auth_type', null, 'keystoneauth plugin (password)', { deprecated: [{ name: 'auth_plugin' }] }),
    str('auth_section', null, 'Section holding the plugin options'),
    uri('auth_url', null, authUrlHelp),
    none('system_scope', 'System scope'),
    none('domain_id', 'Domain ID to scope to'),
    none('domain_name', 'Domain name to scope to'),
    none('project_id', 'Project ID to scope to', { deprecated: [{ name: 'tenant_id' }] }),
    none('project_name', 'Project name to scope to', { deprecated: [{ name: 'tenant_name' }] }),
    none('project_domain_id', 'Domain ID of the project'),
    none('project_domain_name', 'Domain name of the project'),
    none('trust_id', 'Trust ID'),
    none('default_domain_id', 'Default domain ID'),
    none('default_domain_name', 'Default domain name'),
    none('user_id', 'User ID'),
    none('username', 'User name', { deprecated: [{ name: 'user_name' }] }),
    none('user_domain_id', 'Domain ID of the user'),
    none('user_domain_name', 'Domain name of the user'),
    none('password', 'Password', { secret: true }),
  ];
}

// keystoneauth session options shared by [nova] and [placement].
const session = () => [
  str('cafile', null, 'CA bundle'),
  str('certfile', null, 'Client certificate'),
  str('keyfile', null, 'Client key'),
  bool('insecure', false, 'Skip TLS verification'),
  int('timeout', null, 'Request timeout'),
  bool('collect_timing', false, 'Collect per-API timing'),
  bool('split_loggers', false, 'Log requests separately'),
];

export const keystoneAuthtoken = group(
  'keystone_authtoken',
  'Token validation against Keystone (auth_strategy = keystone)',
  [
    'www_authenticate_uri', 'auth_url', 'auth_type', 'username', 'password', 'project_name', 'user_domain_name',
    'project_domain_name', 'user_domain_id', 'project_domain_id', 'memcached_servers', 'region_name',
    'token_cache_time', 'interface', 'insecure', 'cafile', 'http_connect_timeout', 'http_request_max_retries',
    'service_token_roles', 'service_token_roles_required', 'delay_auth_decision', 'include_service_catalog',
  ],
  [
    uri('www_authenticate_uri', null, 'Public Keystone endpoint announced to clients', { deprecated: [{ name: 'auth_uri' }] }),
    str('auth_uri', null, 'Old name of www_authenticate_uri', { deprecatedForRemoval: true }),
    str('auth_version', null, 'Identity API version'),
    str('interface', 'internal', 'Keystone endpoint interface used'),
    bool('delay_auth_decision', false, 'Pass unauthenticated requests on'),
    int('http_connect_timeout', null, 'Connect timeout to Keystone'),
    int('http_request_max_retries', 3, 'Retries of Keystone requests'),
    str('cache', null, 'Environment cache key'),
    str('certfile', null, 'Client certificate'),
    str('keyfile', null, 'Client key'),
    str('cafile', null, 'CA bundle'),
    bool('insecure', false, 'Skip TLS verification'),
    str('region_name', null, 'Keystone region'),
    list('memcached_servers', null, 'host:port of memcached token caches', { deprecated: [{ name: 'memcache_servers' }] }),
    int('token_cache_time', 300, 'Seconds a validated token is cached; -1 disables caching'),
    str('memcache_security_strategy', 'None', 'Protection of cached tokens', { choices: ['None', 'MAC', 'ENCRYPT'] }),
    str('memcache_secret_key', null, 'Key for MAC/ENCRYPT', { secret: true }),
    int('memcache_pool_dead_retry', 300, 'Seconds a dead memcached is skipped'),
    int('memcache_pool_maxsize', 10, 'memcached connections per server'),
    int('memcache_pool_socket_timeout', 3, 'memcached socket timeout'),
    int('memcache_pool_unused_timeout', 60, 'Idle memcached connection lifetime'),
    int('memcache_pool_conn_get_timeout', 10, 'Wait for a memcached connection'),
    bool('memcache_use_advanced_pool', true, 'Advanced memcached pool'),
    bool('include_service_catalog', true, 'Ask for the catalog when validating'),
    str('enforce_token_bind', 'permissive', 'Token binding enforcement'),
    list('service_token_roles', ['service'], 'Roles a service token must carry'),
    bool('service_token_roles_required', false, 'Enforce service_token_roles'),
    str('service_type', null, 'Service type for access rules'),
    ...passwordPlugin('Keystone endpoint used to validate tokens'),
  ],
);

export const nova = group('nova', "Credentials and endpoint for notifying Nova", [], [
  str('region_name', null, 'Nova region'),
  str('endpoint_type', 'public', 'Nova endpoint interface', { choices: ['public', 'admin', 'internal'] }),
  ...session(),
  ...passwordPlugin('Keystone endpoint for the Nova credentials'),
  str('tenant_id', null, 'Old name of project_id'),
  str('tenant_name', null, 'Old name of project_name'),
]);

export const placement = group('placement', 'Credentials and endpoint for Placement', [], [
  str('region_name', null, 'Placement region'),
  str('endpoint_type', 'public', 'Placement endpoint interface', { choices: ['public', 'admin', 'internal'] }),
  ...session(),
  ...passwordPlugin('Keystone endpoint for the Placement credentials'),
  str('tenant_id', null, 'Old name of project_id'),
  str('tenant_name', null, 'Old name of project_name'),
]);
