// URL helpers for [database] connection (SQLAlchemy URL grammar) and transport_url
// (oslo.messaging TransportURL grammar). Pure string parsing; nothing is resolved or contacted.
import { ConfigError } from './errors.js';

export interface DatabaseUrl {
  dialect: 'sqlite' | 'postgres' | 'mysql';
  /** The "+driver" part as written (psycopg2, pymysql, ...), for information only. */
  driver?: string;
  /** sqlite only: file path (relative paths as written) or ':memory:'. */
  path?: string;
  host?: string;
  /** Defaults to 5432 (postgres) or 3306 (mysql) when the URL names none. */
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  /** Query parameters (?charset=utf8&...), decoded. */
  params: Record<string, string>;
}

// SQLAlchemy's URL shape: name://[user[:password]@][host|[ipv6]][:port][/database][?query].
// The password may hold anything but '@', as SQLAlchemy allows.
const SQLA_URL =
  /^([\w+]+):\/\/(?:([^:/]*)(?::([^@]*))?@)?(?:(?:\[([^/?]+)\]|([^/:?]+))?(?::([^/?]*))?)?(?:\/([^?]*))?(?:\?(.*))?$/s;

const dbError = (why: string) => new ConfigError(why, { section: 'database', option: 'connection' });

function decode(s: string | undefined, what: string, err: (w: string) => ConfigError): string | undefined {
  if (s === undefined) return undefined;
  try {
    return decodeURIComponent(s);
  } catch {
    throw err(`bad percent-encoding in the ${what}`);
  }
}

function parseQuery(q: string | undefined, err: (w: string) => ConfigError): Record<string, string> {
  const params: Record<string, string> = {};
  if (!q) return params;
  for (const pair of q.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const k = eq < 0 ? pair : pair.slice(0, eq);
    const v = eq < 0 ? '' : pair.slice(eq + 1);
    params[decode(k.replace(/\+/g, ' '), 'query', err)!] = decode(v.replace(/\+/g, ' '), 'query', err)!;
  }
  return params;
}

/** Parse a `[database] connection` URL; throws ConfigError naming [database] connection. */
export function parseDatabaseUrl(url: string): DatabaseUrl {
  const m = SQLA_URL.exec(url.trim());
  if (!m) throw dbError(`"${redact(url)}" is not a database URL (dialect://user:password@host:port/database)`);
  const [, name, user, password, ipv6, host, portText, database, query] = m;
  const [dialectName, driver] = name!.split('+', 2) as [string, string | undefined];
  const params = parseQuery(query, dbError);
  const extra = driver ? { driver } : {};
  if (dialectName === 'sqlite') {
    if (user !== undefined || host || ipv6 || portText) throw dbError('sqlite URLs take no user, host or port: sqlite:///relative or sqlite:////absolute');
    const path = database === undefined || database === '' ? ':memory:' : decode(database, 'path', dbError)!;
    return { dialect: 'sqlite', ...extra, path, params };
  }
  const dialect =
    dialectName === 'postgresql' || dialectName === 'postgres' ? 'postgres'
    : dialectName === 'mysql' || dialectName === 'mariadb' ? 'mysql'
    : undefined;
  if (!dialect) throw dbError(`unsupported database dialect "${dialectName}" (use sqlite, postgresql or mysql)`);
  let port = dialect === 'postgres' ? 5432 : 3306;
  if (portText !== undefined && portText !== '') {
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw dbError(`port "${portText}" is not a number in 0..65535`);
    port = Number(portText);
  }
  const out: DatabaseUrl = { dialect, ...extra, port, params };
  const h = ipv6 ?? host;
  if (h) out.host = h;
  if (user !== undefined && user !== '') out.user = decode(user, 'user name', dbError)!;
  if (password !== undefined) out.password = decode(password, 'password', dbError)!;
  if (database) out.database = decode(database, 'database name', dbError)!;
  return out;
}

export interface TransportHost {
  host: string;
  port: number;
  username?: string;
  password?: string;
}

export interface TransportUrl {
  /** rabbit, amqp, kafka, ... as written (the part before "+driver" when present). */
  scheme: string;
  /** Empty for a bare "rabbit://" (oslo.messaging then uses localhost). */
  hosts: TransportHost[];
  /** null when the URL has no path (RabbitMQ then uses "/"). */
  virtualHost: string | null;
  params: Record<string, string>;
}

const transportError = (why: string) => new ConfigError(why, { section: 'DEFAULT', option: 'transport_url' });

/**
 * Parse an oslo.messaging transport URL:
 * `rabbit://user:pass@host:port,user2:pass2@host2:port2/vhost?query`. Each host keeps its own
 * credentials; a missing port is 5672. Throws ConfigError naming [DEFAULT] transport_url.
 */
export function parseTransportUrl(url: string): TransportUrl {
  const m = /^([a-zA-Z][\w+.-]*):\/\/([^/?]*)(?:\/([^?]*))?(?:\?(.*))?$/s.exec(url.trim());
  if (!m) throw transportError(`"${redact(url)}" is not a transport URL (rabbit://user:pass@host:port/vhost)`);
  const [, scheme, netloc, path, query] = m;
  const hosts: TransportHost[] = [];
  for (const part of netloc!.split(',')) {
    if (part === '') continue;
    let creds: string | undefined;
    let hostPort = part;
    const at = part.lastIndexOf('@');
    if (at >= 0) {
      creds = part.slice(0, at);
      hostPort = part.slice(at + 1);
    }
    let host: string;
    let portText: string | undefined;
    const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(hostPort);
    if (v6) {
      host = v6[1]!;
      portText = v6[2];
    } else {
      const c = hostPort.indexOf(':');
      host = c < 0 ? hostPort : hostPort.slice(0, c);
      portText = c < 0 ? undefined : hostPort.slice(c + 1);
    }
    if (host === '') throw transportError(`host missing in "${redact(part)}"`);
    let port = 5672;
    if (portText !== undefined && portText !== '') {
      if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw transportError(`port "${portText}" of ${host} is not a number in 0..65535`);
      port = Number(portText);
    }
    const entry: TransportHost = { host, port };
    if (creds !== undefined) {
      const colon = creds.indexOf(':');
      entry.username = decode(colon < 0 ? creds : creds.slice(0, colon), 'user name', transportError)!;
      if (colon >= 0) entry.password = decode(creds.slice(colon + 1), 'password', transportError)!;
    }
    hosts.push(entry);
  }
  const virtualHost = path === undefined || path === '' ? null : decode(path, 'virtual host', transportError)!;
  return { scheme: scheme!.split('+')[0]!, hosts, virtualHost, params: parseQuery(query, transportError) };
}

/** amqp:// URLs (one per host, in order) for an AMQP 0-9-1 client such as amqplib. */
export function amqpUrls(t: TransportUrl): string[] {
  const hosts = t.hosts.length ? t.hosts : [{ host: 'localhost', port: 5672 }];
  const vhost = encodeURIComponent(t.virtualHost ?? '/');
  return hosts.map((h: TransportHost) => {
    const auth = h.username !== undefined
      ? `${encodeURIComponent(h.username)}${h.password !== undefined ? ':' + encodeURIComponent(h.password) : ''}@`
      : '';
    const host = h.host.includes(':') ? `[${h.host}]` : h.host;
    return `amqp://${auth}${host}:${h.port}/${vhost}`;
  });
}

/** Hide a password in URLs echoed in messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@,]*:)[^@]*@/g, '$1***@').replace(/(,[^:/@,]*:)[^@,]*@/g, '$1***@');
}
