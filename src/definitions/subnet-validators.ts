/** Validators for subnet's structured attributes (type:ip_pools, type:nameservers, type:hostroutes). */
import { ipVersionOf, parseCidr } from '../common/ip.js';
import { isPlainObject, show, type Validator } from './validators.js';

export const poolsValidator: Validator = (data) => {
  if (!Array.isArray(data)) return `Invalid data format for IP pool: '${show(data)}'`;
  for (const pool of data) {
    if (!isPlainObject(pool) || Object.keys(pool).sort().join(',') !== 'end,start') return `Invalid data format for IP pool: '${show(pool)}'`;
    for (const k of ['start', 'end'] as const) {
      if (typeof pool[k] !== 'string' || !ipVersionOf(pool[k] as string)) return `'${show(pool[k])}' is not a valid IP address`;
    }
  }
  return undefined;
};

export const nameserversValidator: Validator = (data) => {
  if (!Array.isArray(data)) return `Invalid data format for nameserver: '${show(data)}'`;
  const seen = new Set<string>();
  for (const host of data) {
    if (typeof host !== 'string' || !ipVersionOf(host)) return `'${show(host)}' is not a valid nameserver. '${show(host)}' is not a valid IP address`;
    if (seen.has(host)) return `Duplicate nameserver '${host}'`;
    seen.add(host);
  }
  return undefined;
};

export const hostRoutesValidator: Validator = (data) => {
  if (!Array.isArray(data)) return `Invalid data format for hostroute: '${show(data)}'`;
  const seen = new Set<string>();
  for (const route of data) {
    if (!isPlainObject(route) || Object.keys(route).sort().join(',') !== 'destination,nexthop') return `Invalid data format for hostroute: '${show(route)}'`;
    if (typeof route.destination !== 'string' || !route.destination.includes('/') || !parseCidr(route.destination)) return `'${show(route.destination)}' is not a valid IP subnet`;
    if (typeof route.nexthop !== 'string' || !ipVersionOf(route.nexthop)) return `'${show(route.nexthop)}' is not a valid IP address`;
    const key = `${route.destination}|${route.nexthop}`;
    if (seen.has(key)) return `Duplicate hostroute '${show(route)}'`;
    seen.add(key);
  }
  return undefined;
};
