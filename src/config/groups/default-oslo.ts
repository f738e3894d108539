// [DEFAULT] options that come from oslo libraries: logging (oslo.log), messaging (oslo.messaging)
// and the WSGI server (oslo.service). Nucleon implements the logging basics and transport_url.
import { parseTransportUrl } from '../urls.js';
import { bool, group, int, list, str } from '../types.js';

const transportCheck = (v: unknown): string | undefined => {
  if (typeof v !== 'string' || v === '') return undefined;
  try {
    parseTransportUrl(v);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
};

export const defaultOslo = group(
  'DEFAULT',
  'Logging, messaging and WSGI settings from the oslo libraries',
  ['debug', 'log_dir', 'log_file', 'use_stderr', 'use_json', 'transport_url', 'control_exchange', 'rpc_response_timeout'],
  [
    // oslo.log
    bool('debug', false, 'Log at debug level'),
    str('log_config_append', null, 'Logging configuration file', { deprecated: [{ name: 'log-config' }, { name: 'log_config' }] }),
    str('log_date_format', '%Y-%m-%d %H:%M:%S', 'Date format in log lines'),
    str('log_file', null, 'Log file (default: standard error)', { deprecated: [{ name: 'logfile' }] }),
    str('log_dir', null, 'Directory of log_file', { deprecated: [{ name: 'logdir' }] }),
    bool('watch_log_file', false, 'Reopen the log file when it moves'),
    bool('use_syslog', false, 'Log to syslog'),
    bool('use_journal', false, 'Log to the systemd journal'),
    str('syslog_log_facility', 'LOG_USER', 'Syslog facility'),
    bool('use_json', false, 'Log as JSON'),
    bool('use_stderr', false, 'Log to standard error'),
    bool('use_eventlog', false, 'Log to the Windows event log'),
    int('log_rotate_interval', 1, 'Log rotation interval'),
    str('log_rotate_interval_type', 'days', 'Unit of log_rotate_interval', { choices: ['Seconds', 'Minutes', 'Hours', 'Days', 'Weekday', 'Midnight'] }),
    int('max_logfile_count', 30, 'Rotated log files kept'),
    int('max_logfile_size_mb', 200, 'Log size that triggers rotation'),
    str('log_rotation_type', 'none', 'Log rotation', { choices: ['interval', 'size', 'none'] }),
    str('logging_context_format_string', '%(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s [%(global_request_id)s %(request_id)s %(user_identity)s] %(instance)s%(message)s', 'Log line format with request context'),
    str('logging_default_format_string', '%(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s [-] %(instance)s%(message)s', 'Log line format without context'),
    str('logging_debug_format_suffix', '%(funcName)s %(pathname)s:%(lineno)d', 'Suffix of debug log lines'),
    str('logging_exception_prefix', '%(asctime)s.%(msecs)03d %(process)d ERROR %(name)s %(instance)s', 'Prefix of exception log lines'),
    str('logging_user_identity_format', '%(user)s %(project)s %(domain)s %(system_scope)s %(user_domain)s %(project_domain)s', 'User identity in log lines'),
    list('default_log_levels', [
      'amqp=WARN', 'amqplib=WARN', 'boto=WARN', 'qpid=WARN', 'sqlalchemy=WARN', 'suds=INFO', 'oslo.messaging=INFO',
      'oslo_messaging=INFO', 'iso8601=WARN', 'requests.packages.urllib3.connectionpool=WARN',
      'urllib3.connectionpool=WARN', 'websocket=WARN', 'requests.packages.urllib3.util.retry=WARN',
      'urllib3.util.retry=WARN', 'keystonemiddleware=WARN', 'routes.middleware=WARN', 'stevedore=WARN',
      'taskflow=WARN', 'keystoneauth=WARN', 'oslo.cache=INFO', 'oslo_policy=INFO', 'dogpile.core.dogpile=INFO',
    ], 'Per-logger levels'),
    bool('publish_errors', false, 'Publish error events'),
    str('instance_format', '[instance: %(uuid)s] ', 'Instance part of log lines'),
    str('instance_uuid_format', '[instance: %(uuid)s] ', 'Instance UUID part of log lines'),
    int('rate_limit_interval', 0, 'Log rate limit interval'),
    int('rate_limit_burst', 0, 'Log lines allowed per interval'),
    str('rate_limit_except_level', 'CRITICAL', 'Level exempt from rate limiting'),
    bool('fatal_deprecations', false, 'Fail on use of deprecated features'),
    // oslo.messaging
    str('transport_url', 'rabbit://', 'Message bus URL: rabbit://user:pass@host:port[,user:pass@host2:port]/vhost', { secret: true, validate: transportCheck }),
    str('control_exchange', 'neutron', 'Default exchange of the message bus'),
    int('rpc_response_timeout', 60, 'Seconds to wait for an RPC reply'),
    int('executor_thread_pool_size', 64, 'RPC executor threads', { deprecated: [{ name: 'rpc_thread_pool_size' }] }),
    int('rpc_conn_pool_size', 30, 'RPC connection pool size', { min: 1 }),
    int('conn_pool_min_size', 2, 'Minimum pooled connections'),
    int('conn_pool_ttl', 1200, 'Idle connection lifetime'),
    bool('rpc_ping_enabled', false, 'Answer RPC pings'),
    // oslo.service WSGI server
    int('client_socket_timeout', 900, 'Client socket timeout'),
    int('max_header_line', 16384, 'Largest accepted header line'),
    int('tcp_keepidle', 600, 'TCP keepalive idle time'),
    int('wsgi_default_pool_size', 100, 'WSGI green thread pool size'),
    bool('wsgi_keep_alive', true, 'HTTP keep-alive'),
    str('wsgi_log_format', '%(client_ip)s "%(request_line)s" status: %(status_code)s  len: %(body_length)s time: %(wall_seconds).7f', 'Access log format'),
    bool('wsgi_server_debug', false, 'Return tracebacks to clients'),
  ],
);
