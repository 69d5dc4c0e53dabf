import { clientNameFiller } from '../../src/logs/client-names.ts';
import type { LogEvent } from '../../src/logs/types.ts';

const event = (n: number, fields: Partial<LogEvent>): LogEvent => ({ log_id: `90${n}`, date: new Date(0).toISOString(), type: 's', ...fields });

test('fills client_name of events naming only a client_id, one lookup per app; a given name or a failed lookup is left alone', async () => {
  const asked: string[] = [];
  const fill = clientNameFiller(async (id) => {
    asked.push(id);
    if (id === 'broken') throw new Error('store down');
    return id === 'known' ? 'Known App' : undefined;
  });
  const batch = [
    event(1, { client_id: 'known' }), event(2, { client_id: 'known' }), event(3, { client_id: 'known', client_name: 'Named by producer' }),
    event(4, { client_id: 'gone' }), event(5, { client_id: 'broken' }), event(6, {}),
  ];
  await fill(batch);
  expect(batch.map((e) => e.client_name)).toEqual(['Known App', 'Known App', 'Named by producer', undefined, undefined, undefined]);
  await fill([event(7, { client_id: 'known' })]);
  // Cached for a minute: the second batch asked the store nothing.
  expect(asked).toEqual(['known', 'gone', 'broken']);
});
