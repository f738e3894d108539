/**
 * One `nucleon server` child process for the bench: a config file in a temp dir (noauth, quotas
 * unlimited, one API worker, info-level logging with per-request logging off as in production),
 * a fresh database (temp SQLite file, or a new PostgreSQL database on 127.0.0.1:5432 dropped
 * afterwards), readiness from the server's own "ready" log line, memory read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { serverEnv } from './client-malloc.js';

export type BenchDb = 'sqlite' | 'postgres';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' };

export interface BenchServer {
  url: string;
  pid: number;
  /** Current resident set size in bytes (VmRSS), 0 once the process is gone. */
  rss(): number;
  /** Peak resident set size so far in bytes (VmHWM). */
  peakRss(): number;
  /** User + system CPU seconds used so far (/proc/<pid>/stat). */
  cpuSeconds(): number;
  /** Minor page faults so far (/proc/<pid>/stat). */
  minorFaults(): number;
  /** SIGTERM, wait for a clean exit, drop the database, remove the temp dir. */
  stop(): Promise<void>;
}

export interface StartOptions {
  db: BenchDb;
  /** Extra node flags for the server process (e.g. --cpu-prof). */
  nodeFlags?: string[];
  /** The checkout whose bin/nucleon runs (default: this one). */
  root?: string;
}

function config(connection: string): string {
  return `[DEFAULT]
auth_strategy = noauth
bind_host = 127.0.0.1
api_workers = 1
debug = false
[database]
connection = ${connection}
[quotas]
quota_network = -1
quota_subnet = -1
quota_port = -1
quota_security_group = -1
quota_security_group_rule = -1
[ml2]
type_drivers = local,flat,vlan,vxlan
tenant_network_types = vxlan
mechanism_drivers = linuxbridge
extension_drivers = port_security,dns
[ml2_type_vxlan]
vni_ranges = 1:100000
`;
}

async function createDatabase(db: BenchDb, dir: string): Promise<{ connection: string; drop(): Promise<void> }> {
  if (db === 'sqlite') return { connection: `sqlite:///${join(dir, 'neutron.db')}`, drop: async () => {} };
  const pg = (await import('pg')).default;
  const name = `nucleon_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client(PG);
  await admin.connect();
  try { await admin.query(`CREATE DATABASE ${name}`); } finally { await admin.end(); }
  return {
    connection: `postgresql://postgres@127.0.0.1:5432/${name}`,
    async drop() {
      const c = new pg.Client(PG);
      await c.connect();
      try { await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } finally { await c.end(); }
    },
  };
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

// Clock ticks per second of /proc's CPU times: USER_HZ, 100 on Linux.
const CLOCK_TICKS = 100;

/** The fields of /proc/<pid>/stat from state (field 3) on, or null once the process is gone. */
function procStat(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command (field 2) may contain spaces: the fields after it start past its ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

function procCpuSeconds(pid: number): number {
  const fields = procStat(pid); // utime, stime are fields 14, 15
  return fields ? (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS : 0;
}

function procMinorFaults(pid: number): number {
  const fields = procStat(pid); // minflt is field 10
  return fields ? Number(fields[7]) : 0;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => { clearTimeout(timer); resolve(true); });
  });
}

/** The node flags of a `#!/usr/bin/env -S node --flag ...` line, which running the file applies. */
export function shebangFlags(file: string): string[] {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0]!;
  const m = /^#!\S*\benv\s+(?:-S\s+)?node((?:\s+-\S+)*)\s*$/.exec(first);
  return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : [];
}

export async function startServer(o: StartOptions): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-bench-'));
  const database = await createDatabase(o.db, dir);
  const file = join(dir, 'neutron.conf');
  writeFileSync(file, config(database.connection));
  // bin/nucleon runs the server in its own process (no wrapper), so child.pid is the server's pid.
  // With the node flags of its #! line, as when a user runs it, and the bench's own (--cpu-prof).
  const root = o.root ?? ROOT;
  const bin = join(root, 'bin', 'nucleon');
  const child = spawn(process.execPath, [...shebangFlags(bin), ...(o.nodeFlags ?? []), bin, 'server', '--config-file', file, '--migrate', '--port', '0'], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv(),
  });
  const output: string[] = [];
  const keep = (line: string) => { output.push(line); if (output.length > 50) output.shift(); };
  createInterface({ input: child.stderr! }).on('line', keep);
  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 10_000))) { child.kill('SIGKILL'); await waitExit(child, 5_000); }
    }
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server not ready within 60 s')), 60_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        keep(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'ready' && entry.url) { clearTimeout(timer); resolve(entry.url); }
        } catch { /* not a log line */ }
      });
      child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`server exited before ready (${code ?? signal})`)); });
    });
  } catch (error) {
    await cleanup();
    throw new Error(`${(error as Error).message}\n${output.join('\n')}`);
  }
  const pid = child.pid!;
  return {
    url,
    pid,
    rss: () => procStatus(pid, 'VmRSS'),
    peakRss: () => procStatus(pid, 'VmHWM'),
    cpuSeconds: () => procCpuSeconds(pid),
    minorFaults: () => procMinorFaults(pid),
    async stop() {
      await cleanup();
      if (child.exitCode !== 0 && child.exitCode !== null) console.error(`server exited with ${child.exitCode}:\n${output.join('\n')}`);
    },
  };
}
