import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extensionDriverNotes } from '../../src/cmd/server-runtime.js';

describe('[ml2] extension_drivers', () => {
  it('is quiet for what Nucleon always loads (the seed configs: port_security; dns)', () => {
    assert.deepEqual(extensionDriverNotes([]), []);
    assert.deepEqual(extensionDriverNotes(['port_security']), []);
    assert.deepEqual(extensionDriverNotes(['port_security', 'dns']), []);
  });
  it('says that port security stays on without port_security, and names drivers it ignores', () => {
    const notes = extensionDriverNotes(['qos', 'dns']);
    assert.equal(notes.length, 2);
    assert.match(notes[0]!, /no port_security: Nucleon always loads it/);
    assert.match(notes[1]!, /extension_drivers qos: not implemented by Nucleon; ignored/);
  });
});
