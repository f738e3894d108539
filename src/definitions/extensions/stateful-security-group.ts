import type { ExtensionDefinition } from '../types.js';
import { convert } from '../validators.js';

export const statefulSecurityGroup: ExtensionDefinition = {
  alias: 'stateful-security-group',
  name: 'Stateful security group',
  description: 'Indicates if the security group is stateful or not',
  updated: '2019-11-26T09:00:00-00:00',
  extendedAttributes: {
    security_groups: { stateful: { allowPost: true, allowPut: true, default: true, convert: convert.boolean, isVisible: true, isFilter: true, isSortKey: true } },
  },
};
