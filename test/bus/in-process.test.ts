import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createInProcessBus } from '../../src/bus/in-process.js';
import type { BusLogger } from '../../src/bus/bus.js';
import { busContract, record } from '../contracts/bus.js';

busContract('in-process', async () => createInProcessBus());

describe('in-process bus', () => {
  it('counts published and dropped hints and logs subscriber failures', async () => {
    const errors: string[] = [];
    const logger: BusLogger = { debug() {}, info() {}, warn() {}, error: (_o, msg) => errors.push(msg) };
    const bus = createInProcessBus({ logger });
    await bus.subscribe('host.a', () => { throw new Error('boom'); });
    const sub = await record(bus, 'host.a');
    await bus.publish('host.a', { host: 'a', revision: 1 });
    await bus.publish('host.a', { host: 'a' } as never); // malformed: dropped
    await sub.waitFor('a', 1);
    await bus.close();
    await bus.publish('host.a', { host: 'a', revision: 2 });
    assert.deepEqual(bus.stats(), { published: 1, dropped: 2 });
    assert.deepEqual(errors, ['bus subscriber failed on a hint']);
  });
});
