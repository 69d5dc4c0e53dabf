import { isBusy, whenFree } from '../../src/store/sqlite/busy.ts';

test('a busy call is retried until it goes through; other errors surface at once', async () => {
  let calls = 0;
  const flaky = () => {
    calls++;
    if (calls < 4) throw Object.assign(new Error('database is locked'), { errcode: 5 });
    return 'done';
  };
  await expect(whenFree(flaky)).resolves.toBe('done');
  expect(calls).toBe(4);
  let other = 0;
  await expect(whenFree(() => {
    other++;
    throw Object.assign(new Error('constraint'), { errcode: 2067 });
  })).rejects.toThrow('constraint');
  expect(other).toBe(1);
});

test('extended busy codes count as busy; the event loop keeps running while a call waits', async () => {
  expect(isBusy({ errcode: 517 })).toBe(true);
  expect(isBusy({ errcode: 6 })).toBe(false);
  expect(isBusy(new Error('x'))).toBe(false);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  let calls = 0;
  await whenFree(() => {
    if (++calls < 8) throw { errcode: 5 };
  });
  clearInterval(timer);
  expect(ticks).toBeGreaterThan(0);
});
