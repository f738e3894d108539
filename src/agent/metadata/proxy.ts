/**
 * The metadata proxy, one per router namespace and one per `qdhcp-` namespace that serves isolated
 * metadata: instances' requests to 169.254.169.254:80 (in a router redirected by nft to `listenPort`;
 * in a DHCP namespace the address is the DHCP port's and the proxy listens on it) are forwarded to
 * Nova's metadata API with the headers Nova verifies, as Neutron's metadata agent sends them:
 *   X-Forwarded-For: the instance IP (the request's source address inside the namespace)
 *   X-Instance-ID / X-Tenant-ID: device_id / project_id of the port owning that IP
 *   X-Instance-ID-Signature: hex HMAC-SHA256(metadata_proxy_shared_secret, instance id)
 * The IP → instance map is a JSON file the agent replaces atomically; it is re-read when it changes.
 * Answers as Neutron's: upstream 200 passes through; 400/403/404/409/500 keep their status; other
 * statuses and upstream failures are 500; an unknown source address is 404.
 */
import { createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { MetadataInstance } from '../../hoststate/l3.js';
import type { MetadataConfig } from '../config.js';

/** Written by the agent as the proxy's config file (argv[2] of proxy-main). */
export interface MetadataProxyConfig {
  /** What it serves, for its log lines: 'router <id>' or 'network <id>'. */
  name: string;
  /** Default 0.0.0.0. */
  listenHost?: string;
  listenPort: number;
  /**
   * A DHCP namespace has no route to Nova: the proxy reaches it through this UNIX socket (the
   * agent's metadata relay in the host's namespace, metadata_proxy_socket), as Neutron's haproxy
   * reaches its metadata agent. Unset: straight to nova_metadata_host (a router reaches it through
   * its gateway).
   */
  upstreamSocket?: string;
  /** JSON file: Record<fixed IP, MetadataInstance>. */
  instancesFile: string;
  upstream: MetadataConfig;
}

export function signInstanceId(secret: string, instanceId: string): string {
  return createHmac('sha256', secret).update(instanceId, 'utf8').digest('hex');
}

/** The headers added to the upstream request (pure). */
export function metadataHeaders(remoteIp: string, inst: MetadataInstance, secret: string): Record<string, string> {
  return {
    'X-Forwarded-For': remoteIp,
    'X-Instance-ID': inst.device_id,
    'X-Tenant-ID': inst.project_id,
    'X-Instance-ID-Signature': signInstanceId(secret, inst.device_id),
  };
}

const PASSED_THROUGH = new Set([200, 400, 403, 404, 409, 500]);

/** Reads the instance map, cached until the file's mtime or size changes. */
class InstanceMap {
  private key = '';
  private map: Record<string, MetadataInstance> = {};
  constructor(private readonly file: string) {}

  get(ip: string): MetadataInstance | undefined {
    try {
      const st = statSync(this.file);
      const key = `${st.mtimeMs}:${st.size}:${st.ino}`;
      if (key !== this.key) {
        this.map = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, MetadataInstance>;
        this.key = key;
      }
    } catch {
      // Unreadable: keep what we had (the agent rewrites it atomically).
    }
    return Object.hasOwn(this.map, ip) ? this.map[ip] : undefined;
  }
}

function readOptional(path: string): Buffer | undefined {
  return path ? readFileSync(path) : undefined;
}

export function createMetadataProxy(cfg: MetadataProxyConfig, log: (msg: string) => void = () => {}): Server {
  const instances = new InstanceMap(cfg.instancesFile);
  const up = cfg.upstream;
  const https = up.novaMetadataProtocol === 'https';
  const tls = https
    ? {
        rejectUnauthorized: !up.novaMetadataInsecure,
        ca: up.novaMetadataInsecure ? undefined : readOptional(up.authCaCert),
        cert: up.novaClientCert && up.novaClientPrivKey ? readOptional(up.novaClientCert) : undefined,
        key: up.novaClientCert && up.novaClientPrivKey ? readOptional(up.novaClientPrivKey) : undefined,
      }
    : {};

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const inst = instances.get(remote);
    if (!inst) {
      log(`no instance for ${remote} on ${cfg.name}`);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
      return;
    }
    const headers: Record<string, string> = metadataHeaders(remote, inst, up.metadataProxySharedSecret);
    if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
    const send = https ? httpsRequest : httpRequest;
    const upReq = send(
      { host: up.novaMetadataHost, port: up.novaMetadataPort, socketPath: cfg.upstreamSocket, method: req.method, path: req.url, headers, timeout: 30_000, ...tls },
      (upRes) => {
        const status = upRes.statusCode ?? 500;
        if (!PASSED_THROUGH.has(status)) {
          log(`unexpected response code ${status} from the metadata server`);
          upRes.resume();
          res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error\n');
          return;
        }
        if (status === 403) log('the metadata server answered Forbidden: do the shared secrets match?');
        const h: Record<string, string> = {};
        if (upRes.headers['content-type']) h['content-type'] = upRes.headers['content-type'];
        res.writeHead(status, h);
        upRes.pipe(res);
      },
    );
    upReq.on('timeout', () => upReq.destroy(new Error('metadata server timed out')));
    upReq.on('error', (err) => {
      log(`metadata server unreachable: ${err.message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error\n');
      else res.destroy();
    });
    req.pipe(upReq);
  };
  return createServer(handle);
}
