/**
 * Entry point of one simulated host's agent process (spawned by harness.ts inside a private mount
 * namespace). argv[2] = JSON file: { config, hostNetns, baseUrl, statsFile, timings }.
 * Logs JSON lines on stderr; writes the reconciler's stats to statsFile after every pass.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createAgent } from '../../src/agent/agent.js';
import type { AgentConfig } from '../../src/agent/config.js';
import { HttpHostStateClient } from '../../src/agent/host-state-client.js';
import type { Logger } from '../../src/agent/reconciler.js';

interface AgentMainInput {
  config: AgentConfig;
  hostNetns: string;
  baseUrl: string;
  statsFile: string;
  timings: { resyncIntervalMs: number; pollIntervalMs: number; reportIntervalMs: number };
  debug?: boolean;
}

const input = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as AgentMainInput;
const line = (level: string) => (obj: object, msg?: string) =>
  process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), level, host: input.config.host, msg, ...obj })}\n`);
const log: Logger = { debug: input.debug ? line('debug') : () => {}, info: line('info'), warn: line('warn'), error: line('error') };

const agent = createAgent({
  config: input.config,
  hostNetns: input.hostNetns,
  log,
  source: new HttpHostStateClient({ baseUrl: input.baseUrl, host: input.config.host }),
  timings: {
    ...input.timings,
    backoff: { baseMs: 200, maxMs: 2000 },
    onPass: (stats) => {
      writeFileSync(`${input.statsFile}.tmp`, JSON.stringify(stats));
      renameSync(`${input.statsFile}.tmp`, input.statsFile);
    },
  },
});
agent.start();
const stop = () => void agent.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
