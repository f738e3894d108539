import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ListAnswers } from '../../src/api/list-answers.js';

const alice = { userId: 'u1', projectId: 'p1', roles: ['member', 'reader'], isAdmin: false };

describe('ListAnswers', () => {
  const items = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
  const net = { 'network:tenant_id': 'p1', 'network:shared': false };
  const contexts = [net, net, net];
  const body = Buffer.from('{"ports":[]}');

  it('answers again only for the very same items, equal contexts and the same pagination tail', () => {
    const answers = new ListAnswers();
    const key = ListAnswers.keyOf(alice, '/v2.0/ports?network_id=n1');
    answers.set(key, items, contexts, '', body);
    assert.equal(answers.get(key, [...items], contexts, ''), body, 'the same items in a new array');
    const copy = { ...net };
    assert.equal(answers.get(key, items, [copy, copy, copy], ''), body, 'equal contexts read again');
    assert.equal(answers.get(key, [items[0]!, { id: 'b' }, items[2]!], contexts, ''), undefined, 'an item rebuilt (its row changed)');
    assert.equal(answers.get(key, items.slice(1), contexts.slice(1), ''), undefined, 'an item gone');
    const shared = { ...net, 'network:shared': true };
    assert.equal(answers.get(key, items, [net, shared, net], ''), undefined, 'a context changed');
    assert.equal(answers.get(key, items, null, ''), undefined);
    assert.equal(answers.get(key, items, contexts, ',"ports_links":[]'), undefined, 'other pagination links');
  });

  it('keys on everything policy reads of the caller, and on the URL', () => {
    const keys = new Set([
      ListAnswers.keyOf(alice, '/v2.0/ports'),
      ListAnswers.keyOf({ ...alice, roles: ['reader'] }, '/v2.0/ports'),
      ListAnswers.keyOf({ ...alice, isAdmin: true }, '/v2.0/ports'),
      ListAnswers.keyOf({ ...alice, projectId: 'p2' }, '/v2.0/ports'),
      ListAnswers.keyOf({ ...alice, userId: 'u2' }, '/v2.0/ports'),
      ListAnswers.keyOf(alice, '/v2.0/ports?limit=2'),
    ]);
    assert.equal(keys.size, 6);
  });

  it('keeps at most its byte bound, the least recently used going first', () => {
    const answers = new ListAnswers(25);
    const b10 = Buffer.alloc(10);
    answers.set('k1', items, null, '', b10);
    answers.set('k2', items, null, '', b10);
    assert.ok(answers.get('k1', items, null, ''), 'k1 used: k2 is now the oldest');
    answers.set('k3', items, null, '', b10);
    assert.equal(answers.size, 2);
    assert.equal(answers.get('k2', items, null, ''), undefined);
    assert.ok(answers.get('k1', items, null, ''));
    answers.set('big', items, null, '', Buffer.alloc(26));
    assert.equal(answers.get('big', items, null, ''), undefined, 'an answer above the bound is not kept');
  });

  it('keeps at most its item bound: an answer holds its items alive', () => {
    const answers = new ListAnswers(1024, 7);
    answers.set('k1', items, null, '', body);
    answers.set('k2', items, null, '', body);
    assert.equal(answers.size, 2);
    // Nine items in all: the oldest answer goes.
    answers.set('k3', items, null, '', body);
    assert.equal(answers.size, 2);
    assert.equal(answers.get('k1', items, null, ''), undefined);
    assert.ok(answers.get('k3', items, null, ''));
    const many = Array.from({ length: 8 }, (_, i) => ({ id: `m${i}` }));
    answers.set('many', many, null, '', body);
    assert.equal(answers.get('many', many, null, ''), undefined, 'an answer of more items than the bound is not kept');
    assert.ok(answers.get('k2', items, null, ''), 'nor does it push others out');
  });
});
