/**
 * `nucleon up --agents`: this host's agent (L2, DHCP and L3 roles) inside the all-in-one process.
 * It reads host state straight from the core and hears hints on the in-process bus; everything
 * else (config checks, timings, reports) is what `nucleon agent` does.
 */
import type { Logger } from 'pino';
import { agentOptions, type LoadedConfig } from '../config/index.js';
import type { Bus } from '../bus/bus.js';
import type { Core } from '../core/index.js';
import { parseAgentReport } from '../core/agent-reports.js';
import { createRunner } from '../agent/linux/exec.js';
import { agentConfigFrom, checkAgentHost } from './agent-config.js';
import { inProcessSource, roleNames, runAgent } from './agent-runtime.js';

export interface LocalAgents {
  describe(): string;
  stop(): Promise<void>;
}

export async function startLocalAgents(o: {
  conf: LoadedConfig; log: Logger; bus: Bus; core: Core; dataDir: string; hostNetns?: string;
}): Promise<LocalAgents> {
  const opts = agentOptions(o.conf);
  // A one-host cloud needs no VTEP address of its own: VXLAN devices stay local.
  const config = agentConfigFrom(o.conf, new Set(['l2', 'dhcp', 'l3']), {
    localIp: '127.0.0.1', statePath: o.dataDir,
    warn: (w) => o.log.warn({ file: w.file, line: w.line }, `config: [${w.section}] ${w.option}: ${w.message}`),
  });
  await checkAgentHost(o.conf, config, createRunner({ hostNetns: o.hostNetns }));
  const log = o.log.child({ component: 'agent', host: config.host });
  const source = inProcessSource({
    readState: (host, since) => o.core.hostStates.read(host, since),
    report: (host, body) => o.core.agentReports.report(parseAgentReport(host, body)),
  }, config.host);
  const running = await runAgent({
    config, source, log, bus: o.bus, hostNetns: o.hostNetns,
    timings: { pollingInterval: opts.agent.pollingInterval, reportInterval: opts.agent.reportInterval },
  });
  return {
    describe: () => `${roleNames(config).join(', ')} on host ${config.host}`,
    stop: () => running.stop(),
  };
}
