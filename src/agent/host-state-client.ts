/**
 * HTTP client for the agent-facing endpoints (DESIGN.md §3):
 *   GET  {base}/internal/hosts/{host}/state[?since=<revision>] → 200 HostState | 304 (nothing newer)
 *   POST {base}/internal/agents/{host}/report  (AgentReport)  → 2xx
 * Authentication is whatever headers the injected function supplies (a service token, ...).
 */
import type { AgentReport, HostState } from '../hoststate/types.js';

export interface HostStateSource {
  /** `since` set: resolves 'not-modified' when the server has nothing newer than that revision. */
  fetchState(since?: number): Promise<HostState | 'not-modified'>;
  report(report: AgentReport): Promise<void>;
}

export interface HttpHostStateClientOptions {
  baseUrl: string;
  host: string;
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  timeoutMs?: number;
}

export class HttpError extends Error {
  constructor(readonly status: number, readonly url: string, body: string) {
    super(`${url}: HTTP ${status}${body ? `: ${body.slice(0, 500)}` : ''}`);
    this.name = 'HttpError';
  }
}

export class HttpHostStateClient implements HostStateSource {
  private readonly base: string;
  constructor(private readonly opts: HttpHostStateClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
  }

  async fetchState(since?: number): Promise<HostState | 'not-modified'> {
    const q = since !== undefined ? `?since=${since}` : '';
    const url = `${this.base}/internal/hosts/${encodeURIComponent(this.opts.host)}/state${q}`;
    const res = await fetch(url, { headers: { accept: 'application/json', ...(await this.headers()) }, signal: this.signal() });
    if (res.status === 304) return 'not-modified';
    if (!res.ok) throw new HttpError(res.status, url, await res.text());
    return (await res.json()) as HostState;
  }

  async report(report: AgentReport): Promise<void> {
    const url = `${this.base}/internal/agents/${encodeURIComponent(this.opts.host)}/report`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await this.headers()) },
      body: JSON.stringify(report),
      signal: this.signal(),
    });
    if (!res.ok) throw new HttpError(res.status, url, await res.text());
    await res.arrayBuffer();
  }

  private async headers(): Promise<Record<string, string>> {
    return (await this.opts.headers?.()) ?? {};
  }

  private signal(): AbortSignal {
    return AbortSignal.timeout(this.opts.timeoutMs ?? 10_000);
  }
}
