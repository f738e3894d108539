/**
 * The metadata relay: a UNIX socket (metadata_proxy_socket) in the agent's own namespace whose
 * connections are piped to nova_metadata_host:nova_metadata_port. A `qdhcp-` namespace has only the
 * project network, so its metadata proxy (which signs) reaches Nova through this socket, as
 * Neutron's haproxy in the DHCP namespace reaches the metadata agent. Bytes only: HTTP and TLS are
 * the proxy's, end to end.
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { connect, createServer, type Server } from 'node:net';
import type { Logger } from '../reconciler.js';

export interface MetadataRelay {
  close(): Promise<void>;
}

export async function startMetadataRelay(o: { socket: string; host: string; port: number }, log?: Logger): Promise<MetadataRelay> {
  const server: Server = createServer((client) => {
    const up = connect(o.port, o.host);
    client.pipe(up).pipe(client);
    const drop = (err: Error) => {
      log?.warn({ err: err.message, nova: `${o.host}:${o.port}` }, 'metadata relay: connection failed');
      client.destroy();
      up.destroy();
    };
    up.on('error', drop);
    client.on('error', () => up.destroy());
  });
  await mkdir(dirname(o.socket), { recursive: true });
  // A socket file left by a previous run refuses the bind; nothing else uses this path.
  await rm(o.socket, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.socket, () => resolve());
  });
  log?.info({ socket: o.socket, nova: `${o.host}:${o.port}` }, 'metadata relay listening');
  return {
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      rm(o.socket, { force: true }).catch(() => {});
    }),
  };
}
