/**
 * A stand-in for the server's agent-facing endpoints, serving hand-built HostStates on 127.0.0.1:
 * GET /internal/hosts/{host}/state[?since=] and POST /internal/agents/{host}/report.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentReport, HostState } from '../../src/hoststate/types.js';

export class FakeServer {
  private readonly states = new Map<string, HostState>();
  /** Latest report per `${host}|${agent_type}`. */
  readonly reports = new Map<string, AgentReport>();
  private server?: Server;
  private revision = 0;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const state = /^\/internal\/hosts\/([^/]+)\/state$/.exec(u.pathname);
      const report = /^\/internal\/agents\/([^/]+)\/report$/.exec(u.pathname);
      if (req.method === 'GET' && state) {
        const host = decodeURIComponent(state[1]!);
        const hs = this.states.get(host) ?? { host, revision: this.revision, networks: [], ports: [], dhcp: [] };
        const since = u.searchParams.get('since');
        if (since !== null && Number(since) >= hs.revision) {
          res.writeHead(304).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(hs));
        return;
      }
      if (req.method === 'POST' && report) {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          const r = JSON.parse(body) as AgentReport;
          this.reports.set(`${r.host}|${r.agent_type}`, r);
          res.writeHead(204).end();
        });
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Publishes new desired states; every host gets a new revision (as a server-wide counter would). */
  set(states: Omit<HostState, 'revision'>[]): number {
    this.revision++;
    for (const s of states) this.states.set(s.host, { ...s, revision: this.revision });
    return this.revision;
  }

  report(host: string, agentType = 'Linux bridge agent'): AgentReport | undefined {
    return this.reports.get(`${host}|${agentType}`);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
