/** The authenticated caller of a request, set by the auth hook in app.ts. */
import type { FastifyRequest } from 'fastify';
import type { Caller } from '../core/caller.js';

const CALLER = Symbol('caller');

export function setCaller(req: FastifyRequest, caller: Caller): void {
  (req as unknown as Record<symbol, Caller>)[CALLER] = caller;
}

export function callerOf(req: FastifyRequest): Caller {
  const caller = (req as unknown as Record<symbol, Caller | undefined>)[CALLER];
  if (!caller) throw new Error('request has no authenticated caller');
  return caller;
}
