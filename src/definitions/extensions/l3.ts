/**
 * The L3 extensions (neutron-lib l3, l3_ext_gw_mode, extraroute, extraroute_atomic, fip_port_details,
 * floatingip_pools, router_availability_zone and the floating IP port forwarding family), with the
 * attributes each adds. Implemented in core/routers.ts, core/floatingips.ts, core/port-forwardings.ts.
 */
import type { ExtensionDefinition } from '../types.js';
import { NOT_SPECIFIED } from '../types.js';
import { convert, v } from '../validators.js';
import { hostRoutesValidator } from '../subnet-validators.js';

export const router: ExtensionDefinition = {
  alias: 'router',
  name: 'Neutron L3 Router',
  description: 'Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway.',
  updated: '2012-07-20T10:00:00-00:00',
};

/** enable_snat inside external_gateway_info (definitions/router.ts validates the key). */
export const extGwMode: ExtensionDefinition = {
  alias: 'ext-gw-mode',
  name: 'Neutron L3 Configurable external gateway mode',
  description: 'Extension of the router abstraction for specifying whether SNAT should occur on the external gateway',
  updated: '2013-03-28T10:00:00-00:00',
};

export const extraroute: ExtensionDefinition = {
  alias: 'extraroute',
  name: 'Neutron Extra Route',
  description: 'Extra routes configuration for L3 router',
  updated: '2013-02-01T10:00:00-00:00',
  extendedAttributes: {
    routers: {
      routes: { allowPost: false, allowPut: true, default: NOT_SPECIFIED, convert: convert.noneToEmptyList, validate: hostRoutesValidator, isVisible: true },
    },
  },
};

export const extrarouteAtomic: ExtensionDefinition = {
  alias: 'extraroute-atomic',
  name: 'Atomically add/remove extra routes',
  description: 'Edit extra routes of a router on server side by atomically adding/removing extra routes',
  updated: '2019-07-10T00:00:00+00:00',
};

export const routerAvailabilityZone: ExtensionDefinition = {
  alias: 'router_availability_zone',
  name: 'Router Availability Zone',
  description: 'Availability zone support for router.',
  updated: '2015-01-01T10:00:00-00:00',
  extendedAttributes: {
    routers: {
      availability_zones: { allowPost: false, allowPut: false, isVisible: true },
      availability_zone_hints: { allowPost: true, allowPut: false, default: [], validate: v.listOfUniqueStrings(255), isVisible: true },
    },
  },
};

export const fipPortDetails: ExtensionDefinition = {
  alias: 'fip-port-details',
  name: 'Floating IP Port Details Extension',
  description: 'Add port_details attribute to Floating IP resource',
  updated: '2018-04-09T10:00:00-00:00',
  extendedAttributes: {
    floatingips: { port_details: { allowPost: false, allowPut: false, default: NOT_SPECIFIED, isVisible: true } },
  },
};

/** `/v2.0/floatingip_pools` (api/routes/floatingips.ts). */
export const floatingipPools: ExtensionDefinition = {
  alias: 'floatingip-pools',
  name: 'Floating IP Pools Extension',
  description: 'Provides a floating IP pools API.',
  updated: '2018-03-21T10:00:00-00:00',
};

/** `/v2.0/floatingips/{id}/port_forwardings` (definitions/port-forwarding.ts). */
export const floatingIpPortForwarding: ExtensionDefinition = {
  alias: 'floating-ip-port-forwarding',
  name: 'Floating IP Port Forwarding',
  description: 'Allow port forwarding from floating IP port to an internal port',
  updated: '2018-01-19T10:00:00-00:00',
};

export const exposePortForwardingInFip: ExtensionDefinition = {
  alias: 'expose-port-forwarding-in-fip',
  name: 'Expose Floating IP port forwardings',
  description: 'Expose port forwarding fields in floating IP response',
  updated: '2018-06-28T16:00:00-00:00',
  extendedAttributes: {
    floatingips: { port_forwardings: { allowPost: false, allowPut: false, default: null, isVisible: true } },
  },
};

export const fipPfDescription: ExtensionDefinition = {
  alias: 'floating-ip-port-forwarding-description',
  name: 'Floating IP Port Forwarding new attribute description',
  description: 'Add a description field to Port Forwarding rules',
  updated: '2019-11-01T10:00:00-00:00',
};

/** Floating IPs' port_forwardings include `id` and `internal_port_id`. */
export const fipPfDetail: ExtensionDefinition = {
  alias: 'floating-ip-port-forwarding-detail',
  name: 'Floating IP port forwarding detail',
  description: "Allow list floating ip return more port forwarding data, include'id' and 'internal_port_id'",
  updated: '2022-05-06T10:00:00-00:00',
};

export const fipPfPortRange: ExtensionDefinition = {
  alias: 'floating-ip-port-forwarding-port-ranges',
  name: 'Floating IP Port Forwarding support port ranges',
  description: 'Add suport to port ranges',
  updated: '2020-07-01T10:00:00-00:00',
};

export const L3_EXTENSIONS: ExtensionDefinition[] = [
  router, extGwMode, extraroute, extrarouteAtomic, routerAvailabilityZone, fipPortDetails, floatingipPools,
  floatingIpPortForwarding, exposePortForwardingInFip, fipPfDescription, fipPfDetail, fipPfPortRange,
];
