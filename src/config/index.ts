// Public surface of the configuration package.
export { ConfigError, type ConfigIssue } from './errors.js';
export { parseIni, normalizeSection, type IniFile, type IniSection, type IniValue } from './ini.js';
export { loadConfig, loadConfigCollecting, type LoadedConfig, type LoadOptions, type UnimplementedUse, type ValueOrigin } from './load.js';
export { registry, OptionRegistry, GROUPS } from './options.js';
export type { GroupDef, OptionDef, OptionStatus, OptionValue, OptType } from './types.js';
export { parseDatabaseUrl, parseTransportUrl, amqpUrls, redact, type DatabaseUrl, type TransportUrl, type TransportHost } from './urls.js';
export { serverOptions, mappings, type ServerOptions, type DatabaseOptions, type Ml2Options, type QuotaOptions, type KeystoneAuthtokenOptions, type PolicyOptions, type RabbitOptions, type IdRange, type VlanRange } from './server-options.js';
export { agentOptions, type AgentOptions } from './agent-options.js';
export { firewallMode, firewallDriverCheck, FIREWALL_DRIVERS, type FirewallMode } from './firewall-driver.js';
export { l3AgentOptions, metadataOptions, type L3AgentOptionsResult, type L3RoleOptions, type MetadataOptions } from './l3-agent-options.js';
export { checkConfig, formatCheckReport, type CheckResult } from './check.js';
