import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextFromHeaders, createNoauth, NOAUTH_FAKE_PROJECT_ID } from '../../../src/api/identity/noauth.js';

test('noauth: project, user and roles come from the headers', async () => {
  const ctx = await createNoauth().authenticate({
    'x-project-id': 'p1', 'x-user-id': 'u1', 'x-roles': ' Member , reader,member',
    'x-project-name': 'demo', 'x-user-name': 'alice', 'x-auth-token': 'tok',
  });
  assert.deepEqual(ctx, {
    userId: 'u1', projectId: 'p1', roles: ['member', 'reader'], isAdmin: false,
    userName: 'alice', projectName: 'demo', authToken: 'tok',
  });
});

test('noauth: admin role makes an admin context', () => {
  const ctx = contextFromHeaders({ 'x-project-id': 'p1', 'x-roles': 'Admin' });
  assert.equal(ctx.isAdmin, true);
  assert.deepEqual(ctx.roles, ['admin']);
  assert.equal(ctx.userId, null);
});

test('noauth: legacy tenant headers are accepted, the project header wins over them', () => {
  assert.equal(contextFromHeaders({ 'x-tenant-id': 't1' }).projectId, 't1');
  assert.equal(contextFromHeaders({ 'x-tenant': 't2' }).projectId, 't2');
  assert.equal(contextFromHeaders({ 'x-project-id': 'p', 'x-tenant-id': 't' }).projectId, 'p');
  assert.equal(contextFromHeaders({ 'x-tenant-id': 't', 'x-tenant-name': 'n' }).projectName, 'n');
  assert.equal(contextFromHeaders({ 'x-tenant-id': 't', 'x-role': 'a,b' }).roles.join(), 'a,b');
  assert.equal(contextFromHeaders({ 'x-tenant-id': 't', 'x-user': 'u' }).userId, 'u');
});

test('noauth: no project -> fake project, elevated to admin (Neutron NoauthFakeProjectId)', () => {
  const ctx = contextFromHeaders({});
  assert.equal(ctx.projectId, NOAUTH_FAKE_PROJECT_ID);
  assert.equal(ctx.isAdmin, true);
  assert.deepEqual(ctx.roles, ['admin']);
  const withRoles = contextFromHeaders({ 'x-roles': 'reader', 'x-project-id': '  ' });
  assert.equal(withRoles.projectId, NOAUTH_FAKE_PROJECT_ID);
  assert.deepEqual(withRoles.roles, ['reader', 'admin']);
});

test('noauth: repeated headers use the first value', () => {
  const ctx = contextFromHeaders({ 'x-project-id': ['p1', 'p2'], 'x-roles': ['member', 'admin'] });
  assert.equal(ctx.projectId, 'p1');
  assert.deepEqual(ctx.roles, ['member']);
});
