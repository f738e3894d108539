/**
 * The real `openstack` CLI (Debian's python3-openstackclient) against a `nucleon up` child
 * process, through the clouds.yaml it wrote: `os(cloud, ...args)` runs a command with `-f json`
 * and returns the parsed output; `osDo` runs one that prints nothing (set, delete); `osFail`
 * expects a failure and returns stderr.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Up } from '../cmd/process.js';

// By full path, and /usr/bin first on PATH: pyenv shims may shadow the system python.
export const OPENSTACK = '/usr/bin/openstack';
export const skipWithoutCli = existsSync(OPENSTACK) ? false : `${OPENSTACK} missing (apt-get install python3-openstackclient)`;

/** clouds.yaml names that `nucleon up` writes: admin of project admin, demo of project demo. */
export type Cloud = 'nucleon' | 'nucleon-demo';

export interface CliResult { code: number; stdout: string; stderr: string }

export interface Cli {
  run(cloud: Cloud, ...args: string[]): Promise<CliResult>;
  os(cloud: Cloud, ...args: string[]): Promise<any>;
  osDo(cloud: Cloud, ...args: string[]): Promise<void>;
  osFail(cloud: Cloud, ...args: string[]): Promise<string>;
}

export function openstackCli(up: Up): Cli {
  // A clean environment: no OS_* variable of the caller leaks in.
  const env = { PATH: '/usr/bin:/bin', HOME: up.dataDir, LANG: 'C.UTF-8', OS_CLIENT_CONFIG_FILE: join(up.dataDir, 'clouds.yaml') };
  const run = (cloud: Cloud, ...args: string[]) => new Promise<CliResult>((resolve) => {
    execFile(OPENSTACK, ['--os-cloud', cloud, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
  const describe = (args: string[], r: CliResult) => `openstack ${args.join(' ')} -> exit ${r.code}\n${r.stderr}${r.stdout}`;
  return {
    run,
    async os(cloud, ...args) {
      const r = await run(cloud, ...args, '-f', 'json');
      if (r.code !== 0) throw new Error(describe(args, r));
      return JSON.parse(r.stdout);
    },
    async osDo(cloud, ...args) {
      const r = await run(cloud, ...args);
      if (r.code !== 0) throw new Error(describe(args, r));
    },
    async osFail(cloud, ...args) {
      const r = await run(cloud, ...args);
      if (r.code === 0) throw new Error(`expected a failure: ${describe(args, r)}`);
      return r.stderr;
    },
  };
}
