import { AppError } from '../../src/errors/app-error.ts';
import { parseLogSearch, searchOf } from '../../src/management/logs/query.ts';

const refused = (q: string): string => {
  try {
    parseLogSearch(q);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_query_string' });
    return (err as Error).message;
  }
  throw new Error(`expected ${q} to be refused`);
};

test('each supported field, bare and quoted, joined by AND', () => {
  expect(parseLogSearch(undefined)).toEqual({});
  expect(parseLogSearch('  ')).toEqual({});
  expect(parseLogSearch('type:sapi')).toEqual({ types: ['sapi'] });
  expect(parseLogSearch('type:(s OR f OR "du")')).toEqual({ types: ['s', 'f', 'du'] });
  expect(parseLogSearch('user_id:"oauth2|acme|42" AND client_id:abc AND connection:"my \\"odd\\" conn"')).toEqual({
    user_id: 'oauth2|acme|42', client_id: 'abc', connection: 'my "odd" conn',
  });
});

test('date ranges: inclusive, exclusive, open ends, one day, ISO times', () => {
  expect(parseLogSearch('date:[2026-01-01 TO 2026-12-31]')).toEqual({ dateFrom: '2026-01-01T00:00:00.000Z', dateTo: '2027-01-01T00:00:00.000Z' });
  expect(parseLogSearch('date:{2026-01-01 TO 2026-12-31}')).toEqual({ dateFrom: '2026-01-02T00:00:00.000Z', dateTo: '2026-12-31T00:00:00.000Z' });
  expect(parseLogSearch('date:[2026-03-01T10:00:00Z TO *]')).toEqual({ dateFrom: '2026-03-01T10:00:00.000Z' });
  expect(parseLogSearch('date:[* TO 2026-03-01T10:00:00.000Z]')).toEqual({ dateTo: '2026-03-01T10:00:00.001Z' });
  expect(parseLogSearch('date:2026-02-03 AND type:du')).toEqual({ types: ['du'], dateFrom: '2026-02-03T00:00:00.000Z', dateTo: '2026-02-04T00:00:00.000Z' });
});

test('what cannot be run is a 400 that says what is supported', () => {
  expect(refused('description:login')).toMatch(/unsupported field "description".*supports type:, user_id:, client_id:, connection:.*date:\[FROM TO TO\]/);
  expect(refused('type:nope')).toMatch(/unknown log type "nope" \(known: s, f, .*sapi/);
  expect(refused('type:s OR type:f')).toMatch(/cannot read "type:s OR type:f"/);
  expect(refused('date:[yesterday TO today]')).toMatch(/"yesterday" is not a date/);
  expect(refused('date:[2026-01-01 2026-02-01]')).toMatch(/must look like \[2026-01-01 TO 2026-12-31\]/);
  expect(refused('type:s AND type:f')).toMatch(/type: appears twice/);
  expect(refused('user_id:(a OR b)')).toMatch(/user_id: takes one value/);
  expect(refused('type:s AND')).toMatch(/cannot read/);
  expect(refused('connection:"unterminated')).toMatch(/cannot read/);
  expect(refused('date:2026-13-45')).toMatch(/is not a date/);
});

test('search is the SDK\'s name for q: either works, two different ones are refused', () => {
  expect(searchOf({ q: 'type:s' })).toBe('type:s');
  expect(searchOf({ search: 'type:f' })).toBe('type:f');
  expect(searchOf({ q: 'type:f', search: 'type:f' })).toBe('type:f');
  expect(() => searchOf({ q: 'type:s', search: 'type:f' })).toThrow(/q and search are two names for one search/);
  expect(searchOf({})).toBeUndefined();
});
