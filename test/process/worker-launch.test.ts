import { workerLaunch } from '../../src/primary.ts';

const parent = ['--no-node-snapshot', '--import', '/x/leash.ts'];

test('a worker keeps its parent\'s Node flags and gets one flag per memory setting', () => {
  expect(workerLaunch({ WORKER_SEMI_SPACE_MB: 8, WORKER_OLD_SPACE_MB: 300, WORKER_MALLOC_ARENA_MAX: 2 }, parent)).toEqual({
    execArgv: [...parent, '--max-semi-space-size=8', '--max-old-space-size=300'],
    env: { MALLOC_ARENA_MAX: '2' },
  });
});

test('0 leaves V8 and glibc their own defaults: no flag, no variable', () => {
  expect(workerLaunch({ WORKER_SEMI_SPACE_MB: 0, WORKER_OLD_SPACE_MB: 0, WORKER_MALLOC_ARENA_MAX: 0 }, parent)).toEqual({ execArgv: parent, env: {} });
});
