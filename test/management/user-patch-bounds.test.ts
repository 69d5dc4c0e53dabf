import { UserPatchSchema } from '../../src/management/users/schema.ts';

/** Found by the fuzz suite: metadata nested thousands deep made PATCH /users/:id a 500 (JSON.stringify overflowed the stack). */
describe('PATCH /users/:id body bounds', () => {
  const deep = (levels: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < levels; i++) v = { a: v };
    return v;
  };

  it.each([11, 2_000, 50_000])('metadata nested %i levels is refused with the limit, never thrown', (levels) => {
    const result = UserPatchSchema.safeParse({ app_metadata: { plan: 'gold', x: deep(levels) } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/nested more than 10 levels deep/);
  });

  it('metadata over 64 KB is refused with the limit', () => {
    const result = UserPatchSchema.safeParse({ user_metadata: { big: 'x'.repeat(70 * 1024) } });
    expect(result.error?.issues[0]?.message).toMatch(/at most 64 KB/);
  });

  it('metadata within bounds passes', () => {
    expect(UserPatchSchema.safeParse({ user_metadata: { theme: 'dark', nested: { a: [1, 2] } } }).success).toBe(true);
  });
});
