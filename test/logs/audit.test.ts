import { describeOperation, fieldNames } from '../../src/management/logs/audit.ts';

test('operations are worded as Auth0 words them', () => {
  expect(describeOperation('POST', '/connections')).toBe('Create a connection');
  expect(describeOperation('PATCH', '/connections/con_1')).toBe('Update a connection');
  expect(describeOperation('DELETE', '/users/oauth2%7Ca%7C1')).toBe('Delete a user');
  expect(describeOperation('POST', '/client-grants')).toBe('Create a client grant');
  expect(describeOperation('POST', '/clients/abc/rotate-secret')).toBe('Rotate a client secret');
  expect(describeOperation('POST', '/users/u1/identities')).toBe('Link a user account');
  expect(describeOperation('DELETE', '/users/u1/identities/oauth2/acme%7C1')).toBe('Unlink a user account');
  expect(describeOperation('POST', '/users/u1/identities/acme/refresh')).toBe('Refresh an upstream access token');
  expect(describeOperation('POST', '/nothing-here')).toBe('API Operation');
});

test('field names, never values: dotted to three levels, arrays and empty objects as one name, bounded', () => {
  expect(fieldNames({ name: 'n', options: { client_secret: 's', scripts: { fetchUserProfile: 'src', deeper: { x: 1 } }, scope: ['a'], empty: {} } }))
    .toEqual(['name', 'options.client_secret', 'options.scripts.fetchUserProfile', 'options.scripts.deeper', 'options.scope', 'options.empty']);
  expect(fieldNames('text')).toEqual([]);
  expect(fieldNames([{ a: 1 }])).toEqual([]);
  expect(fieldNames(null)).toEqual([]);
  expect(fieldNames(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i])))).toHaveLength(100);
});
