/**
 * Packet helpers for test/fullstack/security-groups-server.test.ts: a small python3 tool run inside
 * instance namespaces (TCP echo server and connect, UDP, crafted Ethernet/IPv4/ARP frames and an
 * AF_PACKET receiver) — the techniques of security-groups.test.ts (whose tool is not exported; the
 * two could share this file). Every process started here is tracked and killed by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { sh, waitFor, type Instance } from './harness.js';

export const PY = '/usr/bin/python3';

const TOOL = String.raw`
import socket, struct, sys, time, threading, select
def mac(s): return bytes.fromhex(s.replace(':', ''))
def ip4(s): return socket.inet_aton(s)
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return (~s) & 0xffff
cmd = sys.argv[1]
if cmd == 'serve':   # TCP echo on the given ports
    def handle(c):
        while True:
            d = c.recv(4096)
            if not d: break
            c.sendall(d)
    def srv(port):
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', port)); s.listen(16)
        while True:
            c, _ = s.accept(); threading.Thread(target=handle, args=(c,), daemon=True).start()
    for p in sys.argv[2:]: threading.Thread(target=srv, args=(int(p),), daemon=True).start()
    print('ready', flush=True); time.sleep(1e9)
elif cmd == 'connect':   # connect <ip> <port> <timeout> [source ip]: exit 0 when the handshake completes
    s = socket.socket(); s.settimeout(float(sys.argv[4]))
    if len(sys.argv) > 5: s.bind((sys.argv[5], 0))
    try: s.connect((sys.argv[2], int(sys.argv[3]))); sys.exit(0)
    except Exception as e: print(e); sys.exit(1)
elif cmd == 'chat':   # long-lived connection: each stdin line is sent, the echo printed
    s = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=3); print('connected', flush=True)
    for line in sys.stdin:
        s.sendall(line.encode()); s.settimeout(3)
        try: print('echo ' + s.recv(4096).decode().strip(), flush=True)
        except Exception as e: print('error %s' % e, flush=True)
elif cmd == 'udp':   # udp <sport> <dst> <dport> <payload>
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', int(sys.argv[2])))
    s.sendto(sys.argv[5].encode(), (sys.argv[3], int(sys.argv[4])))
elif cmd == 'rawudp':   # rawudp <if> <src mac> <dst mac> <src ip> <dst ip> <sport> <dport> <payload>
    _, _, ifn, sm, dm, si, di, sp, dp, pl = sys.argv; pl = pl.encode()
    udp = struct.pack('!HHHH', int(sp), int(dp), 8 + len(pl), 0) + pl
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, ip4(si), ip4(di))
    hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind((ifn, 0)); s.send(mac(dm) + mac(sm) + b'\x08\x00' + hdr + udp)
elif cmd == 'rawarp':   # rawarp <if> <op 1|2> <sender mac> <sender ip> <target mac> <target ip>
    _, _, ifn, op, sm, si, tm, ti = sys.argv
    arp = struct.pack('!HHBBH', 1, 0x0800, 6, 4, int(op)) + mac(sm) + ip4(si) + mac(tm) + ip4(ti)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind((ifn, 0)); s.send(mac(tm) + mac(sm) + b'\x08\x06' + arp)
elif cmd == 'recv':   # recv <if> <seconds> <needle hex>...: prints how many received frames contain each needle
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)); s.bind((sys.argv[2], 0))
    needles = [bytes.fromhex(n) for n in sys.argv[4:]]; counts = [0] * len(needles)
    print('ready', flush=True); end = time.time() + float(sys.argv[3])
    while time.time() < end:
        r, _, _ = select.select([s], [], [], max(0, end - time.time()))
        if not r: continue
        f, addr = s.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING: continue
        for i, n in enumerate(needles):
            if n in f: counts[i] += 1
    print(' '.join(map(str, counts)), flush=True)
`;

export const hex = (s: string) => Buffer.from(s).toString('hex');
export const macHex = (m: string) => m.replace(/:/g, '');
export const ipHex = (ip: string) => Buffer.from(ip.split('.').map(Number)).toString('hex');

export class Packets {
  private tool = '';
  private readonly children: ChildProcess[] = [];

  constructor(private readonly dir: string) {}

  async init(): Promise<void> {
    this.tool = `${this.dir}/pkt.py`;
    await writeFile(this.tool, TOOL);
  }

  run(i: Instance, ...args: string[]): Promise<string> {
    return sh(['ip', 'netns', 'exec', i.ns, PY, this.tool, ...args]);
  }

  /** A TCP handshake from `from` to ip:port completes within timeoutS (a dropped SYN is not retried within 1 s). */
  connects(from: Instance, ip: string, port: number, timeoutS = 0.3, sourceIp?: string): Promise<boolean> {
    return this.run(from, 'connect', ip, String(port), String(timeoutS), ...(sourceIp ? [sourceIp] : [])).then(() => true, () => false);
  }

  /** Starts a long-running tool in an instance; resolves at its first output line ('ready'/'connected'). */
  async bg(i: Instance, ...args: string[]): Promise<ChildProcess> {
    const c = spawn('ip', ['netns', 'exec', i.ns, PY, this.tool, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.children.push(c);
    await new Promise<void>((res, rej) => {
      c.stdout!.once('data', () => res());
      c.once('exit', (code) => rej(new Error(`${args[0]} in ${i.ns} exited ${code}`)));
    });
    return c;
  }

  /** Captures on `at`'s eth0 while `send` runs; returns per-needle frame counts. */
  async capture(at: Instance, needles: string[], send: () => Promise<unknown>, seconds = 1.5): Promise<number[]> {
    const c = spawn('ip', ['netns', 'exec', at.ns, PY, this.tool, 'recv', 'eth0', String(seconds), ...needles], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.children.push(c);
    let out = '';
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('capture ready', async () => out.startsWith('ready'), 5_000, 20);
    await send();
    await new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r(undefined)));
    return out.split('\n')[1]!.trim().split(' ').map(Number);
  }

  /** Kills every tool process this object started, by PID. */
  killAll(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

/** Polls `probe` until it returns `want`; the ms from t0 until it did (probe time included). */
export async function msUntil(what: string, t0: number, want: boolean, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  await waitFor(what, async () => (await probe()) === want, timeoutMs, 20);
  return Date.now() - t0;
}
