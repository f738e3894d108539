import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { parseIni } from '../../src/config/ini.js';

const values = (text: string, section: string, key: string) =>
  parseIni(text, 'x.conf').sections.get(section)?.values.get(key)?.map((v) => v.value);

describe('parseIni', () => {
  it('reads = and : assignments, whichever separator comes first', () => {
    const f = parseIni('[DEFAULT]\na = 1\nb: 2\nc = http://h:5000\nd: x=y\n', 'x.conf');
    const d = f.sections.get('DEFAULT')!;
    assert.deepEqual([...d.values.keys()], ['a', 'b', 'c', 'd']);
    assert.equal(d.values.get('c')![0]!.value, 'http://h:5000');
    assert.equal(d.values.get('d')![0]!.value, 'x=y');
  });

  it('records line numbers of keys and section headers', () => {
    const f = parseIni('# c\n\n[ml2]\ntype_drivers = vxlan\n\n\nmechanism_drivers=linuxbridge\n', 'x.conf');
    const s = f.sections.get('ml2')!;
    assert.equal(s.line, 3);
    assert.equal(s.values.get('type_drivers')![0]!.line, 4);
    assert.equal(s.values.get('mechanism_drivers')![0]!.line, 7);
  });

  it('skips # and ; comments at line start but keeps them inside values', () => {
    assert.deepEqual(values('[a]\n# x = 1\n; y = 2\nz = p#q;r\n', 'a', 'z'), ['p#q;r']);
    assert.equal(values('[a]\n# x = 1\n', 'a', 'x'), undefined);
  });

  it('joins indented continuation lines with newlines until a blank line', () => {
    assert.deepEqual(values('[a]\nk = first\n  second\n\tthird\n\nj = 1\n', 'a', 'k'), ['first\nsecond\nthird']);
    assert.deepEqual(values('[a]\nk = first\n  second\n\nj = 1\n', 'a', 'j'), ['1']);
  });

  it('keeps every occurrence of a repeated key, in order', () => {
    assert.deepEqual(values('[a]\nk = 1\nk = 2\n[b]\nk = 9\n[a]\nk = 3\n', 'a', 'k'), ['1', '2', '3']);
  });

  it('strips surrounding whitespace and one pair of matching quotes', () => {
    assert.deepEqual(values('[a]\nk =   "quoted value"  \n', 'a', 'k'), ['quoted value']);
    assert.deepEqual(values("[a]\nk = 'x'\n", 'a', 'k'), ['x']);
    assert.deepEqual(values('[a]\nk = "x\'\n', 'a', 'k'), ['"x\'']);
    assert.deepEqual(values('[a]\nk =\n', 'a', 'k'), ['']);
  });

  it('normalises section names like oslo: DEFAULT exact, others lower case', () => {
    const f = parseIni('[DEFAULT]\na=1\n[ML2]\nb=2\n[Default]\nc=3\n', 'x.conf');
    assert.deepEqual([...f.sections.keys()], ['DEFAULT', 'ml2', 'default']);
    assert.equal(f.sections.get('ml2')!.name, 'ML2');
  });

  it('handles CRLF line endings and trailing whitespace', () => {
    assert.deepEqual(values('[a]\r\nk = v  \r\n', 'a', 'k'), ['v']);
  });

  const bad: [string, string, number][] = [
    ['k = 1\n', 'before any [section]', 1],
    ['[a]\njust words\n', 'no "=" or ":"', 2],
    ['[a]\n= 1\n', 'option name is empty', 2],
    ['  indented = 1\n', 'unexpected continuation', 1],
    ['[a\n', 'must end with ]', 1],
    ['[]\n', 'empty section name', 1],
  ];
  for (const [text, why, line] of bad) {
    it(`rejects ${JSON.stringify(text)} with file and line`, () => {
      assert.throws(() => parseIni(text, '/etc/neutron/x.conf'), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.file, '/etc/neutron/x.conf');
        assert.equal(e.line, line);
        assert.match(e.message, new RegExp(why.replace(/[[\]]/g, '\\$&')));
        assert.match(e.message, new RegExp(`^/etc/neutron/x\\.conf:${line}: `));
        return true;
      });
    });
  }
});
