import { isRootAttribute, ProfileSchema, ROOT_ATTRIBUTES } from '../../src/lib/profile.ts';
import { profileOutcome } from '../../src/sandbox/outcome.ts';
import { checkProfile } from '../../src/users/profile.ts';

test('the root attributes are the profile schema\'s own fields, in the order they are written', () => {
  expect(ROOT_ATTRIBUTES).toEqual(['email', 'email_verified', 'name', 'given_name', 'family_name', 'nickname', 'picture']);
  expect(Object.keys(ProfileSchema.shape)).toEqual(['user_id', ...ROOT_ATTRIBUTES]);
  expect(isRootAttribute('picture')).toBe(true);
  expect(isRootAttribute('user_id')).toBe(false);
});

test('the sandbox checks the user_id part of the definition and hands the data on unchanged', () => {
  expect(profileOutcome(JSON.stringify({ user_id: 7, email: 5, extra: 'x' }))).toEqual({ ok: true, profile: { user_id: 7, email: 5, extra: 'x' } });
  for (const user_id of ['   ', 'x'.repeat(256), '', true]) {
    expect(profileOutcome(JSON.stringify({ user_id }))).toMatchObject({ ok: false, kind: 'invalid_result', message: expect.stringContaining('user_id') });
  }
  expect(profileOutcome('{"email":"a@b.c"}')).toMatchObject({ ok: false, message: expect.stringContaining('no user_id') });
  expect(profileOutcome('[1]')).toMatchObject({ ok: false, message: 'the profile must be a plain object with a user_id' });
});

test('users/ applies the whole definition: root attributes are checked, user_id becomes a string', () => {
  expect(checkProfile({ user_id: 7, email: 5 })).toEqual({ ok: false, message: expect.stringMatching(/^the profile is invalid: email: /) });
  expect(checkProfile({ user_id: 7, nickname: 'n', other: 1 })).toEqual({ ok: true, value: { user_id: '7', nickname: 'n', other: 1 } });
});
