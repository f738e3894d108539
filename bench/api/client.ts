/**
 * The bench's HTTP client: node:http over a keep-alive agent (one TCP connection per concurrent
 * caller, reused), noauth identity headers, JSON in and out. Lighter than fetch: the client shares
 * the machine's two cores with the server, so its own cost shows up in the figures.
 */
import http from 'node:http';

export interface Caller { project: string; roles: string[] }

export interface Reply { status: number; body: any }

/** When each step of one request ended, in performance.now() milliseconds (bench/api/list-steps.ts). */
export interface RequestSteps { start: number; firstByte: number; lastByte: number; decoded: number; parsed: number; chunks: number }

/** A request that did not get the status the bench expected: the run stops, figures would lie. */
export class UnexpectedStatus extends Error {}

export class ApiClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;
  private readonly identity: Record<string, string>;

  constructor(baseUrl: string, caller: Caller, maxSockets = 16) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
    this.identity = { 'x-project-id': caller.project, 'x-roles': caller.roles.join(',') };
  }

  request(method: string, path: string, body?: unknown, steps?: RequestSteps): Promise<Reply> {
    if (steps) { steps.start = performance.now(); steps.chunks = 0; }
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { ...this.identity, accept: 'application/json' };
    if (payload) { headers['content-type'] = 'application/json'; headers['content-length'] = payload.length; }
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        if (steps) steps.firstByte = performance.now();
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (steps) { steps.lastByte = performance.now(); steps.chunks = chunks.length; }
          const text = Buffer.concat(chunks).toString('utf8');
          if (steps) steps.decoded = performance.now();
          let parsed: unknown = undefined;
          if (text) { try { parsed = JSON.parse(text); } catch { parsed = text; } }
          if (steps) steps.parsed = performance.now();
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like request, but anything other than `expected` is an error naming the call and the answer. */
  async expect(expected: number, method: string, path: string, body?: unknown): Promise<any> {
    const reply = await this.request(method, path, body);
    if (reply.status !== expected) {
      const detail = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      throw new UnexpectedStatus(`${method} ${path} → ${reply.status} (expected ${expected}): ${detail?.slice(0, 400)}`);
    }
    return reply.body;
  }

  close(): void {
    this.agent.destroy();
  }
}
