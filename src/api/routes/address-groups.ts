/**
 * `/v2.0/address-groups` (extension address-group) and its member actions add_addresses /
 * remove_addresses (PUT, body `{"addresses": [...]}`, answer `{"address_group": {...}}`), authorised
 * against the group as Neutron's controller does: a group the caller can't see is a 404.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteDeps } from './deps.js';
import type { Caller } from '../../core/caller.js';
import { effective } from '../../definitions/registry.js';
import { registerCollection } from '../collection.js';
import { callerOf } from '../request-context.js';
import { errors } from '../../core/errors.js';

export function addressGroupRoutes(app: FastifyInstance, d: RouteDeps): void {
  const groups = d.core.addressGroups;
  registerCollection(app, { def: effective.addressGroup, service: groups, policy: d.policy, paginationMaxLimit: d.paginationMaxLimit });

  async function authorise(req: FastifyRequest, action: string): Promise<{ caller: Caller; id: string }> {
    const caller = callerOf(req);
    const { id } = req.params as { id: string };
    const group = await groups.get(caller, id);
    if (!d.policy.check('get_address_group', group, caller)) throw errors.notFound('AddressGroupNotFound', `Address group ${id} could not be found.`);
    if (!d.policy.check(action, group, caller)) throw errors.policyNotAuthorized(action);
    return { caller, id };
  }

  app.put('/v2.0/address-groups/:id/add_addresses', async (req) => {
    const { caller, id } = await authorise(req, 'add_addresses');
    return groups.addAddresses(caller, id, req.body);
  });
  app.put('/v2.0/address-groups/:id/remove_addresses', async (req) => {
    const { caller, id } = await authorise(req, 'remove_addresses');
    return groups.removeAddresses(caller, id, req.body);
  });
}
