import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { amqpUrls, parseDatabaseUrl, parseTransportUrl } from '../../src/config/urls.js';

describe('parseDatabaseUrl', () => {
  it('reads sqlite paths the SQLAlchemy way', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite://'), { dialect: 'sqlite', path: ':memory:', params: {} });
    assert.equal(parseDatabaseUrl('sqlite:///neutron.db').path, 'neutron.db');
    assert.equal(parseDatabaseUrl('sqlite:///var/lib/x.db').path, 'var/lib/x.db');
    assert.equal(parseDatabaseUrl('sqlite:////var/lib/neutron/neutron.sqlite').path, '/var/lib/neutron/neutron.sqlite');
    assert.equal(parseDatabaseUrl('sqlite:///:memory:').path, ':memory:');
  });

  it('reads postgresql and mysql URLs with drivers, default ports, encoded credentials and params', () => {
    assert.deepEqual(parseDatabaseUrl('postgresql+psycopg2://neutron:p%40ss@db.example:6432/neutron?sslmode=require'), {
      dialect: 'postgres', driver: 'psycopg2', host: 'db.example', port: 6432, user: 'neutron', password: 'p@ss',
      database: 'neutron', params: { sslmode: 'require' },
    });
    assert.deepEqual(parseDatabaseUrl('postgresql://u@h/db'), { dialect: 'postgres', host: 'h', port: 5432, user: 'u', database: 'db', params: {} });
    assert.deepEqual(parseDatabaseUrl('mysql+pymysql://neutron:NEUTRON_DBPASS@ct/neutron?charset=utf8'), {
      dialect: 'mysql', driver: 'pymysql', host: 'ct', port: 3306, user: 'neutron', password: 'NEUTRON_DBPASS',
      database: 'neutron', params: { charset: 'utf8' },
    });
    assert.equal(parseDatabaseUrl('mysql://u:p@[::1]:3307/db').host, '::1');
    assert.equal(parseDatabaseUrl('mysql://u:p/w#x@h/db').password, 'p/w#x', 'SQLAlchemy lets passwords hold anything but @');
  });

  it('rejects bad URLs with a ConfigError naming [database] connection', () => {
    for (const bad of ['oracle://h/db', 'postgresql://h:x/db', 'nonsense', 'sqlite://host/x.db', 'mysql://u:%zz@h/db']) {
      assert.throws(() => parseDatabaseUrl(bad), (e: unknown) => {
        assert.ok(e instanceof ConfigError, bad);
        assert.equal(e.section, 'database');
        assert.equal(e.option, 'connection');
        assert.match(e.message, /^\[database\] connection: /);
        return true;
      });
    }
  });
});

describe('parseTransportUrl', () => {
  it('reads several hosts with their own credentials and a virtual host', () => {
    assert.deepEqual(parseTransportUrl('rabbit://u1:p1@h1:5673,u2:p%3A2@h2/vh%2F1'), {
      scheme: 'rabbit',
      hosts: [
        { host: 'h1', port: 5673, username: 'u1', password: 'p1' },
        { host: 'h2', port: 5672, username: 'u2', password: 'p:2' },
      ],
      virtualHost: 'vh/1',
      params: {},
    });
  });

  it('reads the seed configs form, IPv6 hosts, a bare rabbit:// and query params', () => {
    assert.deepEqual(parseTransportUrl('rabbit://openstack:RABBIT_PASS@ct').hosts, [{ host: 'ct', port: 5672, username: 'openstack', password: 'RABBIT_PASS' }]);
    assert.equal(parseTransportUrl('rabbit://openstack:RABBIT_PASS@ct').virtualHost, null);
    assert.deepEqual(parseTransportUrl('rabbit://[fd00::1]:5671/').hosts, [{ host: 'fd00::1', port: 5671 }]);
    assert.deepEqual(parseTransportUrl('rabbit://'), { scheme: 'rabbit', hosts: [], virtualHost: null, params: {} });
    assert.deepEqual(parseTransportUrl('rabbit://h/?ssl=1').params, { ssl: '1' });
  });

  it('rejects bad URLs naming [DEFAULT] transport_url', () => {
    for (const bad of ['ct:5672', 'rabbit://u:p@:5672/', 'rabbit://h:99999/']) {
      assert.throws(() => parseTransportUrl(bad), (e: unknown) => e instanceof ConfigError && e.section === 'DEFAULT' && e.option === 'transport_url', bad);
    }
  });

  it('builds amqp:// URLs for an AMQP client', () => {
    assert.deepEqual(amqpUrls(parseTransportUrl('rabbit://u:p%40@h1,h2:5673/')), ['amqp://u:p%40@h1:5672/%2F', 'amqp://h2:5673/%2F']);
    assert.deepEqual(amqpUrls(parseTransportUrl('rabbit://')), ['amqp://localhost:5672/%2F']);
    assert.deepEqual(amqpUrls(parseTransportUrl('rabbit://u:p@h/neutron')), ['amqp://u:p@h:5672/neutron']);
  });
});
