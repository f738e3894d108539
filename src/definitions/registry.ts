/**
 * The API's resources and the extensions this server implements. A resource's effective attribute
 * map is its own attributes plus those its enabled extensions add; everything else derives from it.
 */
import type { AttributeMap, ExtensionDefinition, ResourceDefinition } from './types.js';
import { network } from './network.js';
import { subnet } from './subnet.js';
import { port } from './port.js';
import { securityGroup } from './security-group.js';
import { securityGroupRule } from './security-group-rule.js';
import { projectId } from './extensions/project-id.js';
import { standardAttrDescription } from './extensions/standard-attr-description.js';
import { standardAttrTimestamp } from './extensions/standard-attr-timestamp.js';
import { standardAttrRevisions } from './extensions/standard-attr-revisions.js';
import { standardAttrTag } from './extensions/standard-attr-tag.js';
import { provider } from './extensions/provider.js';
import { multiProvider } from './extensions/multi-provider.js';
import { externalNet } from './extensions/external-net.js';
import { binding } from './extensions/binding.js';
import { portSecurity } from './extensions/port-security.js';
import { allowedAddressPairs } from './extensions/allowed-address-pairs.js';
import { extraDhcpOpt } from './extensions/extra-dhcp-opt.js';
import { netMtu } from './extensions/net-mtu.js';
import { netMtuWritable } from './extensions/net-mtu-writable.js';
import { securityGroupExtension } from './extensions/security-group.js';
import { statefulSecurityGroup } from './extensions/stateful-security-group.js';
import { securityGroupsNormalizedCidr } from './extensions/security-groups-normalized-cidr.js';
import { dnsIntegration } from './extensions/dns-integration.js';
import { networkAvailabilityZone } from './extensions/network-availability-zone.js';
import * as behaviour from './extensions/behaviour-only.js';
import { router } from './router.js';
import { floatingip } from './floatingip.js';
import { portForwarding } from './port-forwarding.js';
import { L3_EXTENSIONS } from './extensions/l3.js';
import { agent } from './agent.js';
import { agentExtension } from './extensions/agent.js';
import { dhcpAgentScheduler } from './extensions/dhcp-agent-scheduler.js';
import { l3AgentScheduler } from './extensions/l3-agent-scheduler.js';
import { availabilityZone } from './extensions/availability-zone.js';
import { addressGroup, addressGroupExtension, securityGroupsRemoteAddressGroup } from './address-group.js';
import { rbacPolicy, rbacPolicies, rbacSecurityGroups, rbacAddressGroup, securityGroupsSharedFiltering } from './rbac-policy.js';

export const RESOURCES: ResourceDefinition[] = [network, subnet, port, securityGroup, securityGroupRule, router, floatingip, addressGroup, rbacPolicy];

export const EXTENSIONS: ExtensionDefinition[] = [
  projectId, standardAttrDescription, standardAttrTimestamp, standardAttrRevisions, standardAttrTag,
  provider, multiProvider, externalNet, binding, portSecurity, allowedAddressPairs, extraDhcpOpt,
  netMtu, netMtuWritable, securityGroupExtension, statefulSecurityGroup, securityGroupsNormalizedCidr, dnsIntegration, networkAvailabilityZone,
  behaviour.sorting, behaviour.pagination, behaviour.filterValidation, behaviour.emptyStringFiltering,
  behaviour.ipSubstringFiltering, behaviour.revisionIfMatch, behaviour.quotas, behaviour.quotaDetails,
  behaviour.portMacAddressRegenerate, availabilityZone, agentExtension, dhcpAgentScheduler, l3AgentScheduler,
  addressGroupExtension, securityGroupsRemoteAddressGroup, behaviour.portSecurityGroupsFiltering,
  rbacPolicies, rbacSecurityGroups, rbacAddressGroup, securityGroupsSharedFiltering,
  ...L3_EXTENSIONS,
];

/** A resource with its extensions folded in: what the API validates and shows. */
export interface EffectiveResource extends ResourceDefinition {
  attributes: AttributeMap;
}

export function effectiveResource(def: ResourceDefinition, extensions: ExtensionDefinition[] = EXTENSIONS): EffectiveResource {
  const attributes: AttributeMap = { ...def.attributes };
  for (const ext of extensions) Object.assign(attributes, ext.extendedAttributes?.[def.collection] ?? {});
  return { ...def, attributes };
}

export const effective = {
  network: effectiveResource(network),
  subnet: effectiveResource(subnet),
  port: effectiveResource(port),
  securityGroup: effectiveResource(securityGroup),
  securityGroupRule: effectiveResource(securityGroupRule),
  agent: effectiveResource(agent),
  router: effectiveResource(router),
  floatingip: effectiveResource(floatingip),
  portForwarding: effectiveResource(portForwarding),
  addressGroup: effectiveResource(addressGroup),
  rbacPolicy: effectiveResource(rbacPolicy),
};
