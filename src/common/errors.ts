/**
 * The errors Nucleon raises, named with Neutron's exception type names. The HTTP status of each type
 * is decided in one place: api/errors.ts.
 */
export class NeutronError extends Error {
  constructor(readonly type: string, message: string, readonly detail = '') {
    super(message);
    this.name = type;
  }
}

export const errors = {
  badRequest: (message: string) => new NeutronError('HTTPBadRequest', message),
  invalidInput: (message: string) => new NeutronError('InvalidInput', `Invalid input for operation: ${message}.`),
  notFound: (type: string, message: string) => new NeutronError(type, message),
  networkNotFound: (id: string) => new NeutronError('NetworkNotFound', `Network ${id} could not be found.`),
  subnetNotFound: (id: string) => new NeutronError('SubnetNotFound', `Subnet ${id} could not be found.`),
  portNotFound: (id: string) => new NeutronError('PortNotFound', `Port ${id} could not be found.`),
  securityGroupNotFound: (id: string) => new NeutronError('SecurityGroupNotFound', `Security group ${id} does not exist`),
  securityGroupRuleNotFound: (id: string) => new NeutronError('SecurityGroupRuleNotFound', `Security group rule ${id} does not exist`),
  /**
   * oslo.policy's PolicyNotAuthorized, naming the check Neutron enforced: `rule:<action>`, and with
   * attribute checks (`rule:<action>:<attr>`, already rendered) Neutron's nested AndCheck
   * `((rule:a and rule:b) and rule:c)`.
   */
  policyNotAuthorized: (action: string, attributeChecks: string[] = []) =>
    new NeutronError('PolicyNotAuthorized', `${attributeChecks.reduce((s, c) => `(${s} and ${c})`, `rule:${action}`)} is disallowed by policy`),
  conflict: (type: string, message: string) => new NeutronError(type, message),
  networkInUse: (id: string) => new NeutronError('NetworkInUse', `Unable to complete operation on network ${id}. There are one or more ports still in use on the network.`),
  subnetInUse: (id: string) => new NeutronError('SubnetInUse', `Unable to complete operation on subnet ${id}: One or more ports have an IP allocation from this subnet.`),
  overQuota: (resource: string) => new NeutronError('OverQuota', `Quota exceeded for resources: ['${resource}'].`),
  revisionMismatch: (expected: number, current: number) =>
    new NeutronError('RevisionNumberConstraintFailed', `Constrained to ${expected}, but current revision is ${current}`),
};
