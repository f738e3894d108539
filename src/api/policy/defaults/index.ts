// All of Neutron's policy defaults, in Neutron's registration order. Target keys the rules read beyond a
// resource's own attributes (the caller supplies them; see index.ts):
//   network:tenant_id / network:project_id   owner of the port's or subnet's network (rule:network_owner)
//   network:shared                           the parent network's `shared` (rule:shared for subnets, ports)
//   security_group:tenant_id                 owner of a rule's security group (rule:sg_owner)
//   ext_parent:tenant_id                     owner of a sub-resource's parent, e.g. a port forwarding's floating IP
import type { DefaultRule } from './types.js';
import { BASE_RULES } from './base.js';
import { NETWORK_RULES } from './network.js';
import { SUBNET_RULES } from './subnet.js';
import { PORT_RULES } from './port.js';
import { SECURITY_GROUP_RULES } from './security-group.js';
import { ROUTER_RULES } from './router.js';
import { AGENT_RULES } from './agent.js';
import { QOS_RULES } from './qos.js';

export type { DefaultRule } from './types.js';

export const NEUTRON_DEFAULT_RULES: readonly DefaultRule[] = [
  ...BASE_RULES,
  ...NETWORK_RULES,
  ...SUBNET_RULES,
  ...PORT_RULES,
  ...SECURITY_GROUP_RULES,
  ...ROUTER_RULES,
  ...AGENT_RULES,
  ...QOS_RULES,
];
