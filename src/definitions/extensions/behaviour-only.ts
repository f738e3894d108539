/**
 * Extensions that add no attributes: they announce API behaviour implemented in api/ and core/
 * (query handling, If-Match, quotas, MAC regeneration). Each entry names where it is implemented.
 */
import type { ExtensionDefinition } from '../types.js';

const ext = (alias: string, name: string, description: string, updated: string): ExtensionDefinition => ({ alias, name, description, updated });

/** api/query.ts */
export const sorting = ext('sorting', 'Sorting support', 'Extension that indicates that sorting is enabled.', '2016-06-12T00:00:00-00:00');
/** api/query.ts, api/collection.ts (links) */
export const pagination = ext('pagination', 'Pagination support', 'Extension that indicates that pagination is enabled.', '2016-06-12T00:00:00-00:00');
/** api/query.ts: unknown filters are refused */
export const filterValidation = ext('filter-validation', 'Filter parameters validation', 'Provides validation on filter parameters.', '2018-07-04T10:00:00-00:00');
/** api/query.ts: `?name=` matches the empty string */
export const emptyStringFiltering = ext('empty-string-filtering', 'Empty String Filtering Extension', 'Allow filtering by attributes with empty string value', '2018-05-01T10:00:00-00:00');
/** core/ports.ts: `fixed_ips=ip_address_substr=...` */
export const ipSubstringFiltering = ext('ip-substring-filtering', 'IP address substring filtering', 'Provides IP address substring filtering when listing ports', '2017-11-28T09:00:00-00:00');
/** api/collection.ts: If-Match: revision_number=N */
export const revisionIfMatch = ext('revision-if-match', 'If-Match constraints based on revision_number', 'Extension indicating that If-Match based on revision_number is supported.', '2016-12-11T00:00:00-00:00');
/** api/routes/quotas.ts */
export const quotas = ext('quotas', 'Quota management support', 'Expose functions for quotas management per project', '2012-07-29T10:00:00-00:00');
/** api/routes/quotas.ts */
export const quotaDetails = ext('quota_details', 'Quota details management support', 'Expose functions for quotas usage statistics per project', '2017-02-10T10:00:00-00:00');
/** core/ports.ts: PUT mac_address=null */
export const portMacAddressRegenerate = ext('port-mac-address-regenerate', 'Neutron Port MAC address regenerate', 'Network port MAC address regenerate', '2018-05-03T10:00:00-00:00');
/** core/ports.ts: `?security_groups=<id>` lists the ports in that group */
export const portSecurityGroupsFiltering = ext('port-security-groups-filtering', 'Port filtering on security groups', 'Provides security groups filtering when listing ports', '2018-01-09T09:00:00-00:00');
