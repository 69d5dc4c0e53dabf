import { createScriptCheck } from '../../src/management/connections/scripts.ts';
import { createScriptRunner } from '../../src/sandbox/index.ts';
import { testLimits } from '../sandbox/helpers.ts';

/** The verdicts the admin console's script editor shows (the same check a save makes), from a real sandbox. */

const runner = createScriptRunner(testLimits());
const { checkScript, checkScripts } = createScriptCheck((script) => runner.check(script));
afterAll(() => runner.close());

test('a good script is ok; a syntax error carries line and column for the editor to point at', async () => {
  expect(await checkScript('fetchUserProfile', 'function (accessToken, ctx, cb) { cb(null, { user_id: 1 }); }')).toEqual({ ok: true });
  expect(await checkScript('fetchUserProfile', 'function (accessToken, ctx, cb) {\n  cb(null, { user_id: 1 );\n}')).toEqual({
    ok: false, status: 400, line: 2, column: 25, message: "syntax error at line 2, column 25: Unexpected token ')'",
  });
});

test('a script that is not a function shows the form of the script it is meant to be', async () => {
  expect(await checkScript('fetchUserProfile', '({})')).toMatchObject({ ok: false, status: 400,
    message: 'must be a function expression such as function (accessToken, ctx, cb) { ... }; it evaluates to a value of type object' });
  expect(await checkScript('getLogoutUrl', '({})')).toMatchObject({ message: expect.stringMatching(/^must be a function expression such as function \(query, callback\)/) });
  for (const name of ['somethingElse', 'constructor']) expect(await checkScript(name, '({})')).toMatchObject({ message: expect.stringMatching(/^must be a function expression such as function \(\.\.\.\) \{ \.\.\. \}/) });
});

test('checkScripts throws the 400 naming the script, and passes options without scripts', async () => {
  await expect(checkScripts(undefined)).resolves.toBeUndefined();
  await expect(checkScripts({ fetchUserProfile: 'function () {}', other: 7 })).resolves.toBeUndefined();
  await expect(checkScripts({ fetchUserProfile: 'function () {}', getLogoutUrl: 'cb()' })).rejects.toMatchObject({
    status: 400, code: 'invalid_body', message: expect.stringMatching(/^Payload validation error: options\.scripts\.getLogoutUrl: must be a function expression/),
  });
});

test('a sandbox that cannot answer is a 503 verdict (retry), and checkScripts throws sandbox_unavailable', async () => {
  const closed = createScriptRunner(testLimits());
  await closed.close();
  const check = createScriptCheck((script) => closed.check(script));
  expect(await check.checkScript('fetchUserProfile', 'function () {}')).toMatchObject({ ok: false, status: 503, message: expect.stringContaining('retry') });
  await expect(check.checkScripts({ fetchUserProfile: 'function () {}' })).rejects.toMatchObject({
    status: 503, code: 'sandbox_unavailable', message: expect.stringContaining('nothing was saved, send the request again'),
  });
});
