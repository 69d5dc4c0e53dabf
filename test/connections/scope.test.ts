import { upstreamScope } from '../../src/connections/scope.ts';

test('without connection_scope: the configured scope as is, an array joined with spaces', () => {
  expect(upstreamScope({})).toBeUndefined();
  expect(upstreamScope({ scope: 'read:user,user:email' })).toBe('read:user,user:email');
  expect(upstreamScope({ scope: ['openid', 'profile', 'email'] })).toBe('openid profile email');
  expect(upstreamScope({ scope: ['openid', 'profile'], useOauthSpecScope: false }, '')).toBe('openid profile');
});

test('with connection_scope: configured then requested, duplicates dropped, comma-joined as Auth0 does by default', () => {
  expect(upstreamScope({ scope: ['openid', 'profile'] }, 'repo,gist')).toBe('openid,profile,repo,gist');
  expect(upstreamScope({ scope: 'openid profile' }, 'profile email')).toBe('openid,profile,email');
  expect(upstreamScope({}, ' repo ,, gist ')).toBe('repo,gist');
});

test('useOauthSpecScope joins the combined scope with spaces', () => {
  expect(upstreamScope({ scope: 'read:user user:email', useOauthSpecScope: true }, 'repo,gist')).toBe('read:user user:email repo gist');
  expect(upstreamScope({ scope: 'a,b', useOauthSpecScope: true }, 'b c')).toBe('a b c');
});
