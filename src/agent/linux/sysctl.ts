/** Kernel parameters, per namespace. */
import type { Runner } from './exec.js';

export async function getSysctl(r: Runner, key: string, netns?: string): Promise<string> {
  const { stdout } = await r.run(['sysctl', '-n', key], { netns });
  return stdout.trim();
}

/** Idempotent: writes only when the value differs; returns whether it wrote. */
export async function setSysctl(r: Runner, key: string, value: string, netns?: string): Promise<boolean> {
  if ((await getSysctl(r, key, netns)) === value) return false;
  await r.run(['sysctl', '-q', '-w', `${key}=${value}`], { netns });
  return true;
}
