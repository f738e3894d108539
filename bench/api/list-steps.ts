/**
 * Where one list of 1,000 ports spends its time, step by step, as the bench client sees it, with
 * the server's CPU and page faults per list:
 *
 *   node --import tsx bench/api/list-steps.ts [--rev REV | --root DIR] [--lists N] [--client-malloc tuned|default]
 *
 * One SQLite server as bench/api/run.ts starts it, one network with a /16 and 1,000 ports (as the
 * scenario's port list phase), 20 lists to warm up, then N lists one after another. Per step the
 * median and the 10th-90th percentile: headers (request sent to response headers parsed), body
 * (headers to last byte), decode (the chunks joined into one string), parse (JSON.parse).
 */
import { parseArgs } from 'node:util';
import { ApiClient, type RequestSteps } from './client.js';
import { startServer } from './server.js';
import { snapshot } from './snapshot.js';
import { applyClientMalloc, CLIENT_MALLOC_OPTION } from './client-malloc.js';

const USAGE = 'usage: node --import tsx bench/api/list-steps.ts [--rev REV | --root DIR] [--lists N] [--client-malloc tuned|default]';
const PORTS = 1000;
const WARMUP_LISTS = 20;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { rev: { type: 'string' }, root: { type: 'string' }, lists: { type: 'string', default: '50' }, ...CLIENT_MALLOC_OPTION, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { console.log(USAGE); return 0; }
  const lists = Number(values.lists);
  if (!Number.isInteger(lists) || lists < 1 || lists > 1000) { console.error('--lists takes 1..1000'); return 2; }
  const rerun = applyClientMalloc(values['client-malloc']);
  if (rerun) return rerun;

  const snap = values.rev ? snapshot(values.rev) : undefined;
  const server = await startServer({ db: 'sqlite', root: snap?.root ?? values.root });
  const api = new ApiClient(server.url, { project: 'bench-list-steps', roles: ['member', 'reader'] });
  try {
    const net = (await api.expect(201, 'POST', '/v2.0/networks', { network: { name: 'list-steps' } })).network.id as string;
    await api.expect(201, 'POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '10.0.0.0/16', ip_version: 4 } });
    for (let i = 0; i < PORTS; i += 8) {
      await Promise.all(Array.from({ length: Math.min(8, PORTS - i) }, (_, k) => api.expect(201, 'POST', '/v2.0/ports', { port: { network_id: net, name: `list-steps-${i + k}` } })));
    }
    const path = `/v2.0/ports?network_id=${net}`;
    const list = async (steps?: RequestSteps) => {
      const reply = await api.request('GET', path, undefined, steps);
      if (reply.status !== 200 || reply.body?.ports?.length !== PORTS) throw new Error(`GET ${path} → ${reply.status}, ${reply.body?.ports?.length} ports`);
    };
    for (let i = 0; i < WARMUP_LISTS; i++) await list();

    const rows: RequestSteps[] = [];
    const cpu0 = server.cpuSeconds();
    const faults0 = server.minorFaults();
    const t0 = performance.now();
    for (let i = 0; i < lists; i++) {
      const steps = {} as RequestSteps;
      await list(steps);
      rows.push(steps);
    }
    const wall = performance.now() - t0;
    const cpuMs = ((server.cpuSeconds() - cpu0) * 1000) / lists;
    const faults = (server.minorFaults() - faults0) / lists;

    const show = (name: string, of: (s: RequestSteps) => number, unit = 'ms') => {
      const v = rows.map(of).sort((a, b) => a - b);
      console.log(`${name.padEnd(8)} ${percentile(v, 0.5).toFixed(2).padStart(7)} ${unit.padEnd(6)} (${percentile(v, 0.1).toFixed(2)}–${percentile(v, 0.9).toFixed(2)})`);
    };
    console.log(`Nucleon list steps · ${new Date().toISOString()} · ${snap ? `revision ${snap.commit.slice(0, 10)}` : values.root ?? 'working tree'} · client malloc ${values['client-malloc']}`);
    console.log(`${lists} lists of ${PORTS} ports, one at a time: ${((lists * 1000) / wall).toFixed(1)} lists/s; server ${cpuMs.toFixed(2)} ms CPU and ${faults.toFixed(1)} minor faults per list`);
    console.log('step      median        (p10–p90)');
    show('headers', (s) => s.firstByte - s.start);
    show('body', (s) => s.lastByte - s.firstByte);
    show('decode', (s) => s.decoded - s.lastByte);
    show('parse', (s) => s.parsed - s.decoded);
    show('total', (s) => s.parsed - s.start);
    show('chunks', (s) => s.chunks, 'reads');
    return 0;
  } finally {
    api.close();
    await server.stop();
    snap?.remove();
  }
}

main().then(
  (code) => { process.exitCode = code; },
  (error: unknown) => { console.error(error instanceof Error ? error.message : error); process.exitCode = 1; },
);
