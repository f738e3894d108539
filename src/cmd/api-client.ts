/**
 * A minimal Neutron API client for Nucleon's own commands (`port plug`): JSON over fetch with the
 * session's headers, one retry with a fresh token on 401, NeutronError messages surfaced.
 */
import { CommandError } from './args.js';
import type { ApiSession } from './os-auth.js';

export class ApiError extends Error {
  constructor(readonly status: number, readonly type: string | undefined, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export class ApiClient {
  constructor(private readonly session: ApiSession, private readonly timeoutMs = 30_000) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const attempt = async () => {
      const base = await this.session.endpoint();
      const url = `${base}${path}`;
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(await this.session.headers()) },
          body: body !== undefined ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        throw new CommandError(`${method} ${url}: ${(err as Error).message}`, 1);
      }
      return { res, url };
    };
    let { res, url } = await attempt();
    if (res.status === 401 && this.session.auth.password) {
      this.session.invalidate();
      ({ res, url } = await attempt());
    }
    const text = await res.text();
    if (!res.ok) {
      let type: string | undefined;
      let message = text.slice(0, 500);
      try {
        const e = (JSON.parse(text) as { NeutronError?: { type?: string; message?: string } }).NeutronError;
        if (e) { type = e.type; message = `${e.type}: ${e.message}`; }
      } catch { /* not JSON */ }
      throw new ApiError(res.status, type, `${method} ${url}: HTTP ${res.status}: ${message}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
