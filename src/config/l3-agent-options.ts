/**
 * l3_agent.ini and metadata_agent.ini ([DEFAULT] in both, as Neutron reads them) → the L3 agent role's
 * plain config. The shape is the agent's L3Config (src/agent/config.ts), repeated here because config
 * imports nothing of agent (test/architecture.test.ts); the composition root hands it over, the
 * compiler checks it there, and test/config/l3-agent-options.test.ts compares it with the agent's defaults.
 *
 * Refused, naming file, section and option: agent_mode other than 'legacy' (DVR and dvr_snat are not
 * implemented), a client certificate without its key or the reverse. Warned: external_network_bridge
 * set (Neutron removed it; the gateway port is plugged into the external network's own bridge), TLS
 * options with http, no metadata_proxy_shared_secret while the proxy runs.
 */
import type { LoadedConfig } from './load.js';
import { ConfigError, type ConfigIssue } from './errors.js';

/**
 * metadata_agent.ini [DEFAULT]: where the metadata proxies send signed requests (Nova's metadata
 * API); the agent's MetadataConfig is this type.
 */
export interface MetadataOptions {
  novaMetadataHost: string;
  novaMetadataPort: number;
  /** 'http' | 'https'. */
  novaMetadataProtocol: string;
  novaMetadataInsecure: boolean;
  /** auth_ca_cert, nova_client_cert, nova_client_priv_key ('' = unset). */
  authCaCert: string;
  novaClientCert: string;
  novaClientPrivKey: string;
  metadataProxySharedSecret: string;
}

/** = the agent's L3Config: the L3 role and its metadata proxies. */
export interface L3RoleOptions {
  enabled: boolean;
  stateDir: string;
  metadataPort: number;
  enableMetadataProxy: boolean;
  sendArpCount: number;
  metadata: MetadataOptions;
}

export interface L3AgentOptionsResult {
  l3: L3RoleOptions;
  warnings: ConfigIssue[];
}

function where(conf: LoadedConfig, option: string) {
  const o = conf.origin('DEFAULT', option);
  return { file: o?.file ?? '', line: o?.line ?? 0, section: 'DEFAULT', option };
}

const refuse = (conf: LoadedConfig, option: string, reason: string) => {
  const w = where(conf, option);
  return new ConfigError(reason, { ...w, file: w.file || undefined, line: w.line || undefined });
};

/**
 * The L3 role's config from the loaded files (l3_agent.ini, metadata_agent.ini, neutron.conf).
 * `stateDir` defaults to `<state_path>/l3`. Throws ConfigError for values Nucleon cannot run with.
 */
export function l3AgentOptions(conf: LoadedConfig, opts: { stateDir?: string } = {}): L3AgentOptionsResult {
  const D = <T>(o: string) => conf.get<T>('DEFAULT', o);
  const warnings: ConfigIssue[] = [];

  const mode = D<string>('agent_mode');
  if (mode !== 'legacy') {
    throw refuse(conf, 'agent_mode', `'${mode}' is not supported: Nucleon's L3 agent runs legacy routers only (agent_mode = legacy)`);
  }
  if (conf.isSet('DEFAULT', 'external_network_bridge') && conf.get<string>('DEFAULT', 'external_network_bridge')) {
    warnings.push({ ...where(conf, 'external_network_bridge'), message: '[DEFAULT] external_network_bridge is deprecated and ignored: the router gateway is plugged into the external network\'s own bridge (set the external network as a provider network and map its physical network instead)' });
  }

  const enableMetadataProxy = D<boolean>('enable_metadata_proxy');
  const metadata = metadataOptions(conf, warnings, enableMetadataProxy);

  return {
    l3: {
      enabled: true,
      stateDir: opts.stateDir ?? `${D<string>('state_path')}/l3`,
      metadataPort: D<number>('metadata_port'),
      enableMetadataProxy,
      sendArpCount: 3,
      metadata,
    },
    warnings,
  };
}

/**
 * metadata_agent.ini's [DEFAULT] upstream options (the L3 role's router proxies and the DHCP role's
 * isolated-metadata proxies both sign with them). `serving`: a proxy will run, so an empty secret is
 * worth a warning. Throws ConfigError for a client certificate without its key or the reverse.
 */
export function metadataOptions(conf: LoadedConfig, warnings: ConfigIssue[], serving: boolean): MetadataOptions {
  const D = <T>(o: string) => conf.get<T>('DEFAULT', o);
  const protocol = D<string>('nova_metadata_protocol');
  const cert = D<string>('nova_client_cert') ?? '';
  const key = D<string>('nova_client_priv_key') ?? '';
  const ca = D<string | null>('auth_ca_cert') ?? '';
  if (cert && !key) throw refuse(conf, 'nova_client_cert', 'needs nova_client_priv_key (the client certificate\'s key) as well');
  if (key && !cert) throw refuse(conf, 'nova_client_priv_key', 'needs nova_client_cert (the client certificate) as well');
  // As Neutron: TLS options only matter with https; set with http they are unused, which is worth a word.
  for (const [o, v] of [['nova_client_cert', cert], ['auth_ca_cert', ca]] as const) {
    if (v && protocol !== 'https') warnings.push({ ...where(conf, o), message: `[DEFAULT] ${o} is unused: nova_metadata_protocol is ${protocol}` });
  }
  const secret = D<string>('metadata_proxy_shared_secret') ?? '';
  if (serving && !secret) {
    warnings.push({ ...where(conf, 'metadata_proxy_shared_secret'), message: "[DEFAULT] metadata_proxy_shared_secret is empty: Nova's metadata API accepts the proxy's requests only if its [neutron] metadata_proxy_shared_secret is empty too" });
  }
  return {
    novaMetadataHost: D<string>('nova_metadata_host'),
    novaMetadataPort: D<number>('nova_metadata_port'),
    novaMetadataProtocol: protocol,
    novaMetadataInsecure: D<boolean>('nova_metadata_insecure'),
    authCaCert: ca,
    novaClientCert: cert,
    novaClientPrivKey: key,
    metadataProxySharedSecret: secret,
  };
}
