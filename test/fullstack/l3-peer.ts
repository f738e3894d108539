/**
 * Tiny network peers for the L3 fullstack test, run inside test namespaces with `ip netns exec`:
 *   serve <port> <label>          TCP: answers every connection with "<label> <peer address>\n"
 *   nova <port> <secret>          HTTP stand-in for Nova's metadata API: checks X-Instance-ID-Signature
 *                                 (403 when wrong); /latest/meta-data/instance-id → the instance id,
 *                                 /whoami → JSON of the X-* headers it got
 *   connect <ip> <port>           prints what the server sent; exit 1 when nothing came within 2 s
 * Servers print "ready" once listening.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer } from 'node:net';

const [mode, a, b] = process.argv.slice(2);
if (mode === 'serve') {
  createServer((s) => s.end(`${b} ${s.remoteAddress?.replace(/^::ffff:/, '')}\n`)).listen(Number(a), '0.0.0.0', () => console.log('ready'));
} else if (mode === 'nova') {
  createHttpServer((req, res) => {
    const id = String(req.headers['x-instance-id'] ?? '');
    const want = createHmac('sha256', b!).update(id).digest();
    const got = Buffer.from(String(req.headers['x-instance-id-signature'] ?? ''), 'hex');
    if (!id || got.length !== want.length || !timingSafeEqual(got, want)) {
      res.writeHead(403).end('bad signature\n');
      return;
    }
    if (req.url === '/latest/meta-data/instance-id') res.writeHead(200, { 'content-type': 'text/plain' }).end(id);
    else if (req.url === '/whoami') {
      const h = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('x-')));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(h));
    } else res.writeHead(404).end();
  }).listen(Number(a), '0.0.0.0', () => console.log('ready'));
} else if (mode === 'connect') {
  let got = '';
  const s = connect({ host: a!, port: Number(b) });
  const t = setTimeout(() => s.destroy(), 2000);
  s.on('data', (c) => (got += c));
  s.on('close', () => {
    clearTimeout(t);
    process.stdout.write(got);
    process.exit(got ? 0 : 1);
  });
  s.on('error', () => {});
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
