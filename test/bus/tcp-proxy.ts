/**
 * A TCP proxy on 127.0.0.1 in front of the broker, so a test can break one client's connection
 * without touching the shared RabbitMQ: cut() resets every proxied connection and refuses new ones;
 * freeze() keeps sockets open but forwards nothing (a half-open peer only heartbeats can detect);
 * restore() lets new connections through again.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Connections accepted and forwarded so far. */
  accepted(): number;
  cut(): void;
  freeze(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: 'open' | 'cut' | 'frozen' = 'open';
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (mode !== 'open') return void client.destroy();
    accepted++;
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    const forward = (from: net.Socket, to: net.Socket) => {
      from.on('data', (d) => { if (mode !== 'frozen') to.write(d); });
      from.on('close', () => to.destroy());
    };
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const destroyAll = () => { for (const s of sockets) s.destroy(); };
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => accepted,
    cut() { mode = 'cut'; destroyAll(); },
    freeze() { mode = 'frozen'; },
    restore() {
      if (mode === 'frozen') destroyAll(); // the frozen streams lost bytes: never resume them
      mode = 'open';
    },
    async close() {
      mode = 'cut';
      destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
