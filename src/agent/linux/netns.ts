/** Named network namespaces (`ip netns`), relative to the agent's /run/netns. */
import type { Runner } from './exec.js';
import { ExecError } from './exec.js';

export async function listNetns(r: Runner): Promise<string[]> {
  const { stdout } = await r.run(['ip', '-json', 'netns', 'list']);
  if (!stdout.trim()) return [];
  return (JSON.parse(stdout) as { name: string }[]).map((n) => n.name);
}

/** Idempotent: an existing namespace is kept. */
export async function addNetns(r: Runner, name: string): Promise<void> {
  if ((await listNetns(r)).includes(name)) return;
  await r.run(['ip', 'netns', 'add', name]);
}

/** Absent = done. */
export async function deleteNetns(r: Runner, name: string): Promise<void> {
  try {
    await r.run(['ip', 'netns', 'delete', name]);
  } catch (err) {
    if (err instanceof ExecError && /No such file|Cannot remove|not found/i.test(err.stderr)) {
      if (!(await listNetns(r)).includes(name)) return;
    }
    throw err;
  }
}

/** Runs a command inside a named namespace. */
export function execInNetns(r: Runner, name: string, argv: readonly string[], input?: string) {
  return r.run(argv, { netns: name, input });
}
