import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRunner, ExecError, wrapArgv } from '../../../src/agent/linux/exec.js';
import { parseLinks } from '../../../src/agent/linux/ip.js';
import { parseFdb } from '../../../src/agent/linux/bridge.js';

describe('exec', () => {
  it('wraps commands for named namespaces and the host namespace', () => {
    assert.deepEqual(wrapArgv(['ip', 'link'], 'qdhcp-x', '/h'), ['ip', 'netns', 'exec', 'qdhcp-x', 'ip', 'link']);
    assert.deepEqual(wrapArgv(['ip', 'link'], undefined, '/h'), ['nsenter', '--net=/h', '--', 'ip', 'link']);
    assert.deepEqual(wrapArgv(['ip', 'link'], undefined, undefined), ['ip', 'link']);
  });
  it('captures output, feeds stdin, and reports failures with the command line and stderr', async () => {
    const r = createRunner();
    assert.equal((await r.run(['cat'], { input: 'hello' })).stdout, 'hello');
    const err = await r.run(['sh', '-c', 'echo boom >&2; exit 3']).catch((e: unknown) => e);
    assert.ok(err instanceof ExecError);
    assert.equal(err.exitCode, 3);
    assert.match(err.message, /sh -c echo boom >&2; exit 3: boom/);
    const slow = await r.run(['sleep', '5'], { timeoutMs: 100 }).catch((e: unknown) => e);
    assert.ok(slow instanceof ExecError && slow.signal === 'SIGTERM');
  });
});

describe('JSON parsers', () => {
  it('parses ip -json -d link', () => {
    const [l] = parseLinks('[{"ifindex":3,"ifname":"vxlan-5","flags":["UP"],"mtu":1450,"master":"brq1","linkinfo":{"info_kind":"vxlan","info_data":{"id":5}}}]');
    assert.deepEqual(l, { ifname: 'vxlan-5', ifindex: 3, mtu: 1450, address: undefined, master: 'brq1', flags: ['UP'], operstate: undefined, link: undefined, kind: 'vxlan', data: { id: 5 } });
    assert.deepEqual(parseLinks(''), []);
  });
  it('parses bridge -json fdb', () => {
    assert.deepEqual(parseFdb('[{"mac":"FA:16:3E:00:00:01","dst":"10.0.0.2","flags":["self"],"state":"permanent"}]'), [
      { mac: 'fa:16:3e:00:00:01', dev: undefined, dst: '10.0.0.2', flags: ['self'], state: 'permanent', master: undefined },
    ]);
  });
});
