// oslo library groups: [oslo_policy], [oslo_concurrency], [oslo_messaging_rabbit],
// [oslo_messaging_notifications], [oslo_middleware], [cors]. Defaults as Neutron sets them.
import { bool, float, group, int, list, multistr, str } from '../types.js';

export const osloPolicy = group(
  'oslo_policy',
  'Policy enforcement (oslo.policy)',
  ['policy_file', 'enforce_scope', 'enforce_new_defaults', 'policy_default_rule', 'policy_dirs'],
  [
    bool('enforce_scope', false, 'Check the scope of tokens against policies'),
    // Nucleon defaults to the secure-RBAC rules (Neutron's default since 2023.2): a reader cannot write.
    bool('enforce_new_defaults', true, 'Use the new (secure RBAC) default policies only'),
    str('policy_file', 'policy.yaml', 'Policy override file (relative to the config directory)', { deprecated: [{ section: 'DEFAULT', name: 'policy_file' }] }),
    str('policy_default_rule', 'default', 'Rule used when a policy is missing', { deprecated: [{ section: 'DEFAULT', name: 'policy_default_rule' }] }),
    multistr('policy_dirs', ['policy.d'], 'Directories of further policy files', { deprecated: [{ section: 'DEFAULT', name: 'policy_dirs' }] }),
    str('remote_content_type', 'application/x-www-form-urlencoded', 'Content type of remote checks', { choices: ['application/x-www-form-urlencoded', 'application/json'] }),
    bool('remote_ssl_verify_server_crt', false, 'Verify remote check servers'),
    str('remote_ssl_ca_crt_file', null, 'CA of remote check servers'),
    str('remote_ssl_client_crt_file', null, 'Client certificate for remote checks'),
    str('remote_ssl_client_key_file', null, 'Client key for remote checks'),
  ],
);

export const osloConcurrency = group('oslo_concurrency', 'External locks (oslo.concurrency)', [], [
  bool('disable_process_locking', false, 'Disable inter-process locks', { deprecated: [{ section: 'DEFAULT', name: 'disable_process_locking' }] }),
  str('lock_path', null, 'Directory of lock files', { deprecated: [{ section: 'DEFAULT', name: 'lock_path' }] }),
]);

export const osloMessagingRabbit = group(
  'oslo_messaging_rabbit',
  'RabbitMQ driver (oslo.messaging)',
  ['rabbit_retry_interval', 'rabbit_retry_backoff', 'rabbit_interval_max', 'heartbeat_timeout_threshold', 'ssl', 'ssl_ca_file', 'ssl_cert_file', 'ssl_key_file'],
  [
    bool('amqp_durable_queues', false, 'Durable queues'),
    bool('amqp_auto_delete', false, 'Auto-delete queues', { deprecated: [{ section: 'DEFAULT', name: 'amqp_auto_delete' }] }),
    bool('ssl', false, 'Connect over TLS', { deprecated: [{ name: 'rabbit_use_ssl' }] }),
    str('ssl_version', '', 'TLS version', { deprecated: [{ name: 'kombu_ssl_version' }] }),
    str('ssl_key_file', '', 'TLS client key', { deprecated: [{ name: 'kombu_ssl_keyfile' }] }),
    str('ssl_cert_file', '', 'TLS client certificate', { deprecated: [{ name: 'kombu_ssl_certfile' }] }),
    str('ssl_ca_file', '', 'TLS CA', { deprecated: [{ name: 'kombu_ssl_ca_certs' }] }),
    bool('ssl_enforce_fips_mode', false, 'FIPS mode for TLS'),
    bool('heartbeat_in_pthread', false, 'Heartbeat in a native thread'),
    float('kombu_reconnect_delay', 1.0, 'Delay before reconnecting after a failure', { min: 0.0, max: 4.5, deprecated: [{ section: 'DEFAULT', name: 'kombu_reconnect_delay' }] }),
    str('kombu_compression', null, 'Message compression'),
    int('kombu_missing_consumer_retry_timeout', 60, 'Wait for a missing consumer', { deprecated: [{ name: 'kombu_reconnect_timeout' }] }),
    str('kombu_failover_strategy', 'round-robin', 'Order of hosts on failover', { choices: ['round-robin', 'shuffle'] }),
    str('rabbit_login_method', 'AMQPLAIN', 'AMQP login method', { choices: ['PLAIN', 'AMQPLAIN', 'EXTERNAL', 'RABBIT-CR-DEMO'], deprecated: [{ section: 'DEFAULT', name: 'rabbit_login_method' }] }),
    int('rabbit_retry_interval', 1, 'Seconds before the first reconnect'),
    int('rabbit_retry_backoff', 2, 'Seconds added to each further reconnect delay', { deprecated: [{ section: 'DEFAULT', name: 'rabbit_retry_backoff' }] }),
    int('rabbit_interval_max', 30, 'Largest reconnect delay'),
    bool('rabbit_ha_queues', false, 'Mirrored queues', { deprecated: [{ section: 'DEFAULT', name: 'rabbit_ha_queues' }] }),
    bool('rabbit_quorum_queue', false, 'Quorum queues'),
    int('rabbit_quorum_delivery_limit', 0, 'Quorum queue delivery limit'),
    int('rabbit_quroum_max_memory_length', 0, 'Quorum queue length limit (upstream spelling)'),
    int('rabbit_quroum_max_memory_bytes', 0, 'Quorum queue size limit (upstream spelling)'),
    int('rabbit_transient_queues_ttl', 1800, 'TTL of transient queues', { min: 1 }),
    int('rabbit_qos_prefetch_count', 0, 'Prefetch count'),
    int('heartbeat_timeout_threshold', 60, 'Seconds without heartbeat before the connection counts as dead; 0 disables'),
    int('heartbeat_rate', 2, 'Heartbeat checks per timeout'),
    bool('direct_mandatory_flag', true, 'Mandatory flag on direct sends', { deprecatedForRemoval: true }),
    bool('enable_cancel_on_failover', false, 'Cancel consumers on failover'),
    bool('ssl_enforce_hostname_verification', false, 'Verify the broker host name'),
  ],
);

export const osloMessagingNotifications = group('oslo_messaging_notifications', 'Notifications (oslo.messaging)', [], [
  multistr('driver', [], 'Notification drivers', { deprecated: [{ section: 'DEFAULT', name: 'notification_driver' }] }),
  str('transport_url', null, 'Separate bus for notifications', { secret: true, deprecated: [{ section: 'DEFAULT', name: 'notification_transport_url' }] }),
  list('topics', ['notifications'], 'Notification topics', { deprecated: [{ section: 'rpc_notifier2', name: 'topics' }, { section: 'DEFAULT', name: 'notification_topics' }] }),
  int('retry', -1, 'Notification retries; -1 forever'),
]);

export const osloMiddleware = group('oslo_middleware', 'HTTP middleware (oslo.middleware)', ['max_request_body_size', 'enable_proxy_headers_parsing'], [
  int('max_request_body_size', 114688, 'Largest request body in bytes', { deprecated: [{ section: 'DEFAULT', name: 'osapi_max_request_body_size' }, { section: 'DEFAULT', name: 'max_request_body_size' }] }),
  str('secure_proxy_ssl_header', 'X-Forwarded-Proto', 'Header carrying the original scheme', { deprecatedForRemoval: true }),
  bool('enable_proxy_headers_parsing', false, 'Honour X-Forwarded-* headers'),
  str('http_basic_auth_user_file', '/etc/htpasswd', 'htpasswd file for HTTP basic auth'),
]);

export const cors = group('cors', 'Cross-origin requests (oslo.middleware)', [], [
  list('allowed_origin', null, 'Origins allowed to make requests'),
  bool('allow_credentials', true, 'Allow credentials'),
  list('expose_headers', ['X-Auth-Token', 'X-Subject-Token', 'X-Service-Token', 'X-OpenStack-Request-ID', 'OpenStack-Volume-microversion'], 'Headers exposed to clients'),
  int('max_age', 3600, 'Seconds a preflight answer is cached'),
  list('allow_methods', ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'], 'Methods allowed'),
  list('allow_headers', ['X-Auth-Token', 'X-Identity-Status', 'X-Roles', 'X-Service-Catalog', 'X-User-Id', 'X-Tenant-Id', 'X-OpenStack-Request-ID'], 'Headers allowed'),
]);
