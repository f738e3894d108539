import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ItemCache } from '../../src/core/item-cache.js';

describe('ItemCache', () => {
  it('answers an item only for the version it was built from', () => {
    const c = new ItemCache();
    const v1 = { revision_number: 1, updated_at: '2026-12-07T00:00:00Z' };
    c.set('a', v1, { id: 'a', name: 'x' });
    assert.deepEqual(c.get('a', v1), { id: 'a', name: 'x' });
    // The same version read again (a fresh row object; PostgreSQL's bigint may come as a string).
    assert.ok(c.get('a', { revision_number: '1', updated_at: '2026-12-07T00:00:00Z' }));
    assert.equal(c.get('a', { revision_number: 2, updated_at: '2026-12-07T00:00:00Z' }), undefined);
    assert.equal(c.get('a', { revision_number: 1, updated_at: '2026-12-07T00:00:01Z' }), undefined);
    c.delete('a');
    assert.equal(c.get('a', v1), undefined);
  });
  it('freezes what it keeps (shared between requests) and drops the oldest beyond its bound', () => {
    const c = new ItemCache(2);
    const v = { revision_number: 1, updated_at: 't' };
    const item = c.set('a', v, { id: 'a' });
    assert.throws(() => { (item as any).name = 'changed'; }, TypeError);
    c.set('b', v, { id: 'b' });
    c.set('c', v, { id: 'c' });
    assert.equal(c.size, 2);
    assert.equal(c.get('a', v), undefined);
    assert.ok(c.get('c', v));
  });
});
