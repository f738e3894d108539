/**
 * `nucleon agent`: the composition root of one host's agent process (L2 linuxbridge, and DHCP / L3
 * when its files enable them). Config files → AgentConfig (checked against this host's kernel),
 * credentials → HTTP host-state source, transport_url → bus hints, then the reconciler until
 * SIGTERM/SIGINT, which stops it and leaves the data plane in place.
 */
import { loadConfig, agentOptions, type ConfigIssue } from '../config/index.js';
import { createRunner } from '../agent/linux/exec.js';
import { CONFIG_HELP, CONFIG_OPTIONS, configSources, parse } from './args.js';
import { createLogger } from './logger.js';
import { stopOnSignals } from './lifecycle.js';
import { agentClientAuth, agentConfigFrom, agentRoles, checkAgentHost } from './agent-config.js';
import { ApiSession } from './os-auth.js';
import { httpSource, runAgent } from './agent-runtime.js';
import { busFromConfig } from './bus-wiring.js';

export const AGENT_HELP = `Usage: nucleon agent --config-file neutron.conf --config-file linuxbridge_agent.ini
                     [--config-file dhcp_agent.ini] [--config-file l3_agent.ini] [options]

Runs this host's agent: one process, the roles its files enable.
  l2    always: bridges, VXLAN devices, taps, l2population FDB, security groups
        ([linux_bridge] physical_interface_mappings, [vxlan], [securitygroup], [agent])
  dhcp  when a file named dhcp_agent*.ini is given or a file sets [DEFAULT] dhcp_driver
  l3    when a file named l3_agent*.ini is given (metadata_agent.ini adds the proxy's options)
--roles overrides that choice.

The host is [DEFAULT] host (default: this machine's hostname). The agent pulls its desired state
from the Nucleon API at [agent] nucleon_server_url (unset: the catalog's network endpoint when
authenticating with Keystone, else http://127.0.0.1:9696). With [DEFAULT] auth_strategy = keystone
it authenticates as the service user of [keystone_authtoken] (username, password, project_name,
auth_url, ...: what neutron.conf already holds); otherwise (noauth) it sends X-Roles: service.
With [DEFAULT] transport_url set it listens for hints on RabbitMQ; it also checks for changes every
[agent] polling_interval seconds, resyncs fully every 30 polling intervals (at least 10 s), and
reports every [agent] report_interval seconds.

A config the host cannot serve (a mapped interface that does not exist, local_ip not on this host,
malformed mappings, an unknown firewall_driver) stops the agent at start with the file, section and
option at fault. Kernel errors later are logged, reported and retried; the agent never exits on them.

Options:
${CONFIG_HELP}
  --roles LIST         comma list of roles to run (l2, dhcp, l3; l2 is always on)
  --host-netns FILE    do the kernel work in the network namespace of FILE (simulated hosts in
                       tests; HTTP and the bus stay in the process's own namespace)
  -h, --help           this help`;

export async function agent(argv: string[]): Promise<number> {
  const args = parse(argv, { ...CONFIG_OPTIONS, roles: { type: 'string' }, 'host-netns': { type: 'string' } });
  if (args.help) { console.log(AGENT_HELP); return 0; }
  const conf = loadConfig(configSources(args.values));
  const o = agentOptions(conf);
  const log = createLogger(o, 'nucleon-agent');
  const warn = (w: ConfigIssue) => log.warn({ file: w.file, line: w.line }, `config: [${w.section}] ${w.option}: ${w.message}`);
  conf.warnings.forEach(warn);
  const roles = agentRoles(conf, args.values.roles as string | undefined);
  const config = agentConfigFrom(conf, roles, { warn });
  const hostNetns = args.values['host-netns'] as string | undefined;
  await checkAgentHost(conf, config, createRunner({ hostNetns }));
  const session = new ApiSession(agentClientAuth(conf));
  const source = await lazySource(session, config.host);
  const bus = busFromConfig(conf, log, `nucleon-agent:${config.host}`);

  let firstFull = true;
  const running = await runAgent({
    config, source, log, hostNetns, bus,
    timings: { pollingInterval: o.agent.pollingInterval, reportInterval: o.agent.reportInterval },
    onPass: (s) => {
      // One line operators (and tests) read: what the first full resync after start changed.
      if (firstFull && s.fullResyncs >= 1) {
        firstFull = false;
        log.info({ changes: s.changes, revision: s.appliedRevision, errors: s.errors.length }, 'first full resync done');
      }
    },
  });
  return stopOnSignals(log, async () => {
    await running.stop();
    await bus?.close();
  });
}

/** The endpoint may come from Keystone's catalog: resolve it on first use so a late identity service only delays. */
async function lazySource(session: ApiSession, host: string) {
  let inner: Awaited<ReturnType<typeof httpSource>> | undefined;
  const get = async () => (inner ??= await httpSource(session, host));
  return {
    fetchState: async (since?: number) => (await get()).fetchState(since),
    report: async (r: Parameters<Awaited<ReturnType<typeof httpSource>>['report']>[0]) => (await get()).report(r),
  };
}
