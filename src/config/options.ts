// The option registry: every group Nucleon knows, merged by section name. Lookups by current
// name and by deprecated (section, name).
import { agent, dhcp, linuxBridge, networkLog, ovs, securityGroup, vxlan } from './groups/agents.js';
import { keystoneAuthtoken, nova, placement } from './groups/auth.js';
import { defaultAgents } from './groups/default-agents.js';
import { defaultOslo } from './groups/default-oslo.js';
import { defaultServer } from './groups/default-server.js';
import { cors, osloConcurrency, osloMessagingNotifications, osloMessagingRabbit, osloMiddleware, osloPolicy } from './groups/oslo.js';
import { database, ml2, ml2TypeFlat, ml2TypeGeneve, ml2TypeGre, ml2TypeVlan, ml2TypeVxlan, quotas } from './groups/server.js';
import { normalizeSection } from './ini.js';
import type { GroupDef, OptionDef } from './types.js';

export type { GroupDef, OptionDef, OptionStatus, OptionValue, OptType } from './types.js';

export const GROUPS: readonly GroupDef[] = [
  defaultServer, defaultAgents, defaultOslo,
  database, ml2, ml2TypeFlat, ml2TypeVlan, ml2TypeGre, ml2TypeVxlan, ml2TypeGeneve, quotas,
  keystoneAuthtoken, nova, placement,
  agent, linuxBridge, vxlan, securityGroup, ovs, dhcp, networkLog,
  osloPolicy, osloConcurrency, osloMessagingRabbit, osloMessagingNotifications, osloMiddleware, cors,
];

/** A registry of options by section; sections are normalised like oslo (DEFAULT, else lower case). */
export class OptionRegistry {
  private readonly bySection = new Map<string, Map<string, OptionDef>>();
  /** deprecated "section\0name" → the current option(s) it stands for. */
  private readonly deprecated = new Map<string, { section: string; option: OptionDef }[]>();

  constructor(groups: readonly GroupDef[]) {
    for (const g of groups) {
      const section = normalizeSection(g.name);
      const opts = this.bySection.get(section) ?? new Map<string, OptionDef>();
      this.bySection.set(section, opts);
      for (const o of g.options) {
        if (opts.has(o.name)) throw new Error(`option [${section}] ${o.name} registered twice`);
        opts.set(o.name, o);
      }
    }
    for (const [section, opts] of this.bySection) {
      for (const o of opts.values()) {
        for (const d of o.deprecated ?? []) {
          const k = `${normalizeSection(d.section ?? section)}\0${d.name}`;
          const list = this.deprecated.get(k) ?? [];
          list.push({ section, option: o });
          this.deprecated.set(k, list);
        }
      }
    }
  }

  sections(): string[] {
    return [...this.bySection.keys()];
  }

  hasSection(section: string): boolean {
    return this.bySection.has(normalizeSection(section));
  }

  get(section: string, name: string): OptionDef | undefined {
    return this.bySection.get(normalizeSection(section))?.get(name);
  }

  options(section: string): OptionDef[] {
    return [...(this.bySection.get(normalizeSection(section))?.values() ?? [])];
  }

  /** The current options a deprecated (section, name) stands for; empty if none. */
  replacementsOf(section: string, name: string): { section: string; option: OptionDef }[] {
    return this.deprecated.get(`${normalizeSection(section)}\0${name}`) ?? [];
  }
}

/** The registry of every option Nucleon knows. */
export const registry = new OptionRegistry(GROUPS);
