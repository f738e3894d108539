import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile, rename } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultL3Config } from '../../../src/agent/config.js';
import { createMetadataProxy, signInstanceId } from '../../../src/agent/metadata/proxy.js';
import { startMetadataRelay } from '../../../src/agent/metadata/relay.js';

const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

describe('metadata proxy', () => {
  let dir: string;
  let nova: Server, proxy: Server;
  let proxyPort: number;
  let seen: IncomingHttpHeaders | undefined;
  let novaStatus = 200;
  const instances = () => join(dir, 'instances.json');
  const setInstances = async (m: object) => {
    await writeFile(`${instances()}.tmp`, JSON.stringify(m));
    await rename(`${instances()}.tmp`, instances());
  };
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${proxyPort}${path}`);
    return { status: res.status, body: await res.text() };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nucleon-md-'));
    nova = createServer((req, res) => {
      seen = req.headers;
      res.writeHead(novaStatus, { 'content-type': 'text/plain' }).end(`nova ${req.url}`);
    });
    const novaPort = await listen(nova);
    await setInstances({ '127.0.0.1': { device_id: 'vm-uuid-1', project_id: 'proj-1' } });
    const md = defaultL3Config({ metadata: { ...defaultL3Config().metadata, novaMetadataHost: '127.0.0.1', novaMetadataPort: novaPort, metadataProxySharedSecret: 's3cret' } }).metadata;
    proxy = createMetadataProxy({ name: 'router r', listenPort: 0, instancesFile: instances(), upstream: md });
    proxyPort = await listen(proxy);
  });
  after(async () => {
    proxy.closeAllConnections();
    nova.closeAllConnections();
    await new Promise((r) => proxy.close(r));
    await new Promise((r) => nova.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('signs as Nova verifies: hex HMAC-SHA256(secret, instance id)', () => {
    assert.equal(signInstanceId('s3cret', 'vm-uuid-1'), createHmac('sha256', 's3cret').update('vm-uuid-1').digest('hex'));
  });

  it('forwards path and query with X-Forwarded-For, X-Instance-ID, X-Tenant-ID and the signature', async () => {
    novaStatus = 200;
    const r = await get('/latest/meta-data/instance-id?x=1');
    assert.deepEqual(r, { status: 200, body: 'nova /latest/meta-data/instance-id?x=1' });
    assert.equal(seen?.['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen?.['x-instance-id'], 'vm-uuid-1');
    assert.equal(seen?.['x-tenant-id'], 'proj-1');
    assert.equal(seen?.['x-instance-id-signature'], signInstanceId('s3cret', 'vm-uuid-1'));
  });

  it("passes Nova's 403/404 through and turns unexpected statuses into 500", async () => {
    novaStatus = 403;
    assert.equal((await get('/')).status, 403);
    novaStatus = 404;
    assert.equal((await get('/')).status, 404);
    novaStatus = 418;
    assert.equal((await get('/')).status, 500);
  });

  it('re-reads the instance map when it changes: an unknown source address gets 404', async () => {
    novaStatus = 200;
    await setInstances({ '10.0.0.9': { device_id: 'other', project_id: 'p' } });
    assert.equal((await get('/latest/meta-data/instance-id')).status, 404);
    await setInstances({ '127.0.0.1': { device_id: 'vm-uuid-2', project_id: 'proj-1' } });
    await get('/x');
    assert.equal(seen?.['x-instance-id'], 'vm-uuid-2');
  });

  it('reaches Nova through the relay socket when it has no route (a DHCP namespace)', async () => {
    novaStatus = 200;
    await setInstances({ '127.0.0.1': { device_id: 'vm-uuid-3', project_id: 'proj-3' } });
    const novaPort = (nova.address() as AddressInfo).port;
    const socket = join(dir, 'relay', 'metadata_proxy');
    const relay = await startMetadataRelay({ socket, host: '127.0.0.1', port: novaPort });
    // The proxy's own upstream host:port lead nowhere: only the socket can carry the request.
    const md = defaultL3Config({ metadata: { ...defaultL3Config().metadata, novaMetadataHost: '192.0.2.254', novaMetadataPort: 9, metadataProxySharedSecret: 's3cret' } }).metadata;
    const viaSocket = createMetadataProxy({ name: 'network n', listenPort: 0, upstreamSocket: socket, instancesFile: instances(), upstream: md });
    const port = await listen(viaSocket);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/latest/meta-data/instance-id`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'nova /latest/meta-data/instance-id');
      assert.equal(seen?.['x-instance-id'], 'vm-uuid-3');
      assert.equal(seen?.['x-instance-id-signature'], signInstanceId('s3cret', 'vm-uuid-3'));
    } finally {
      viaSocket.closeAllConnections();
      await new Promise((r) => viaSocket.close(r));
      await relay.close();
    }
  });

  it('speaks HTTPS to Nova with nova_metadata_protocol = https: verified against auth_ca_cert, or not with nova_metadata_insecure', async () => {
    const cert = join(dir, 'nova.crt');
    const key = join(dir, 'nova.key');
    // A self-signed certificate for 127.0.0.1, made for this test.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', key, '-out', cert, '-days', '1'], { stdio: 'ignore' });
    let tlsSeen: IncomingHttpHeaders | undefined;
    const novaTls = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
      tlsSeen = req.headers;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('nova over tls');
    });
    const novaTlsPort = await listen(novaTls as unknown as Server);
    await setInstances({ '127.0.0.1': { device_id: 'vm-uuid-4', project_id: 'proj-4' } });
    const upstream = (over: object) => ({ ...defaultL3Config().metadata, novaMetadataHost: '127.0.0.1', novaMetadataPort: novaTlsPort, novaMetadataProtocol: 'https', metadataProxySharedSecret: 's3cret', ...over });
    const proxies: Server[] = [];
    const via = async (over: object) => {
      const p = createMetadataProxy({ name: 'router tls', listenPort: 0, instancesFile: instances(), upstream: upstream(over) });
      proxies.push(p);
      const res = await fetch(`http://127.0.0.1:${await listen(p)}/latest/meta-data/instance-id`);
      return { status: res.status, body: await res.text() };
    };
    try {
      assert.deepEqual(await via({ authCaCert: cert }), { status: 200, body: 'nova over tls' });
      assert.equal(tlsSeen?.['x-instance-id-signature'], signInstanceId('s3cret', 'vm-uuid-4'));
      tlsSeen = undefined;
      assert.equal((await via({})).status, 500, 'an unknown CA is refused');
      assert.equal(tlsSeen, undefined, 'nothing reached Nova');
      assert.equal((await via({ novaMetadataInsecure: true })).status, 200, 'nova_metadata_insecure skips verification');
    } finally {
      for (const p of proxies) { p.closeAllConnections(); await new Promise((r) => p.close(r)); }
      novaTls.closeAllConnections();
      await new Promise((r) => novaTls.close(r));
    }
  });
});
