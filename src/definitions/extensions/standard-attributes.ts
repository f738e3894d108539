/** The collections that carry Neutron's standard attributes (description, tags, timestamps, revision). */
export const STANDARD_ATTR_COLLECTIONS = ['networks', 'subnets', 'ports', 'security_groups', 'security_group_rules', 'routers', 'floatingips'] as const;

export function forStandardCollections<T>(spec: T): Record<string, T> {
  return Object.fromEntries(STANDARD_ATTR_COLLECTIONS.map((c) => [c, spec]));
}
