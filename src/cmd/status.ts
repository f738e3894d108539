/** `nucleon status`: asks a running server for its health and prints a short summary. */
import { parse } from './args.js';
import type { HealthBody } from '../api/health.js';

export const STATUS_HELP = `Usage: nucleon status [--url URL]

Asks a running Nucleon (default http://127.0.0.1:9696) for /healthcheck and its API versions.
Exits 0 when healthy, 1 when unhealthy or unreachable.

Options:
  --url URL            the server's URL
  --timeout SECONDS    how long to wait for an answer (default 5)
  -h, --help           this help`;

export async function status(argv: string[]): Promise<number> {
  const args = parse(argv, { url: { type: 'string' }, timeout: { type: 'string' } });
  if (args.help) { console.log(STATUS_HELP); return 0; }
  const url = String(args.values.url ?? 'http://127.0.0.1:9696').replace(/\/+$/, '');
  const timeoutMs = Number(args.values.timeout ?? 5) * 1000;
  const get = (path: string) => fetch(`${url}${path}`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });

  let health: Response;
  try {
    health = await get('/healthcheck');
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    console.log(`Nucleon at ${url}: unreachable (${cause?.code ?? cause?.message ?? (err as Error).message})`);
    return 1;
  }
  const body = await health.json().catch(() => null) as Partial<HealthBody> | null;
  let versions = '';
  try {
    const root = await (await get('/')).json() as { versions?: Array<{ id: string; status: string }> };
    versions = (root.versions ?? []).map((v) => `${v.id} ${v.status}`).join(', ');
  } catch {
    // Versions are a nicety; health decides the exit code.
  }
  const healthy = health.status === 200 && body?.status === 'ok';
  console.log(`Nucleon at ${url}: ${healthy ? 'healthy' : `UNHEALTHY (HTTP ${health.status})`}`);
  console.log(`  database: ${body?.database ?? 'unknown'}`);
  if (versions) console.log(`  API:      ${versions}`);
  return healthy ? 0 : 1;
}
