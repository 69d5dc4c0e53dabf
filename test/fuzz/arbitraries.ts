import fc from 'fast-check';

/**
 * Generators of hostile input: malformed, oversized, deeply nested, wrongly typed and
 * injection-shaped values, path segments and query strings. Bodies are built as JSON *text*
 * (a Raw fragment is spliced in verbatim), so nesting far deeper than JSON.stringify could
 * handle can be sent.
 */

/** JSON text inserted as is. */
export class Raw {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** Serializes a (shallow) generated value, splicing Raw fragments in. */
export function toJson(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

const nest = (depth: number, open: string, close: string, leaf = '1'): Raw => new Raw(`${open.repeat(depth)}${leaf}${close.repeat(depth)}`);

const HOSTILE_STRINGS = [
  '', ' ', '%', '%zz', '%00', '\u0000', '\r\nX-Injected: 1', '../../etc/passwd', '..\\..\\boot.ini', '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
  '${7*7}', '{{7*7}}', '{% if a %}', "' OR 1=1 --", '{"$gt":""}', '$where', '__proto__', 'constructor', 'prototype', '\ud800', '\u202e', 'Ａ',
  'null', 'undefined', 'NaN', '-1', '1e400', '0x10', 'true', '[]', '{}', 'http://127.0.0.1:1/', 'javascript:alert(1)', 'data:text/html,x', 'a'.repeat(256), 'é'.repeat(300),
];

/** A short string of any sort, with the classic hostile ones well represented. */
export const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
);

/** Any JSON value a client could send where something else is expected. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: text },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53 + 2, 1e308, -0) },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 4_000 }).map((n) => nest(n, '{"a":', '}')) },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 4_000 }).map((n) => nest(n, '[', ']')) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5_000 }).map((n) => new Raw(`[${Array.from({ length: n }, (_, i) => i).join(',')}]`)) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 80_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.constant(new Raw('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')) },
  { weight: 1, arbitrary: fc.array(text, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(text, text, { maxKeys: 5 }) },
);

type Path = (string | number)[];

function pathsOf(value: unknown, at: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [at];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [at, ...entries.flatMap(([k, v]) => pathsOf(v, [...at, k]))];
}

function edit(value: unknown, path: Path, change: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  const copy = structuredClone(value);
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1);
  if (last !== undefined) change(parent, last);
  return copy;
}

/** Nesting deep enough to trip the store's JSON functions (SQLite stops at 1,000 levels). */
const deepValue = fc.integer({ min: 900, max: 5_000 }).chain((n) => fc.constantFrom(nest(n, '{"a":', '}'), nest(n, '[', ']'), nest(n, '{"a":[', ']}')));

/** A valid body mutated once: a value replaced, a field dropped, an unknown field (or a very deep one) added, or the whole body swapped. */
export function mutatedBody(valid: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(valid);
  const ops = ['keep', 'replace', 'replace', 'replace', 'drop', 'add', 'add', 'deep', 'whole'] as const;
  return fc.record({ op: fc.constantFrom(...ops), at: fc.nat(), hostile: hostileValue, deep: deepValue, key: text })
    .map(({ op: chosen, at, hostile, deep, key }) => {
      const op = chosen === 'deep' ? 'add' : chosen;
      const value = chosen === 'deep' ? deep : hostile;
      const path = paths[at % paths.length] ?? [];
      if (op === 'keep') return valid;
      if (op === 'whole' || path.length === 0) return op === 'add' && valid && typeof valid === 'object' && !Array.isArray(valid) ? { ...valid, [key]: value } : value;
      if (op === 'replace') return edit(valid, path, (p, k) => void (p[k] = value));
      if (op === 'drop') return edit(valid, path, (p, k) => void (Array.isArray(p) ? p.splice(Number(k), 1) : delete p[k]));
      return edit(valid, path, (p, k) => {
        const target = p[k];
        if (target && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>)[key] = value;
        else p[k] = { [key]: value };
      });
    });
}

/** How a body travels: its content type (or none), and its bytes. */
export interface Encoded { contentType?: string; encoding?: string; body?: string }

/** A body as JSON, broken JSON, another content type, a bad charset or encoding, or not at all. */
export function encodedBody(value: fc.Arbitrary<unknown>, form = false): fc.Arbitrary<Encoded> {
  return fc.tuple(value, fc.constantFrom('json', 'json', 'json', 'json', 'json', 'json', 'json', 'charset', 'broken', 'text', 'form', 'untyped', 'utf16', 'gzip', 'empty', 'multipart'), fc.nat(50))
    .map(([v, how, cut]) => {
      const json = toJson(v);
      const asForm = () => (v && typeof v === 'object' && !(v instanceof Raw) ? new URLSearchParams(Object.entries(v).map(([k, x]): [string, string] => [k, typeof x === 'string' ? x : toJson(x)])).toString() : `x=${encodeURIComponent(json)}`);
      switch (how) {
        case 'json': return { contentType: 'application/json', body: json };
        case 'charset': return { contentType: 'application/json; charset=utf-8', body: json };
        case 'broken': return { contentType: 'application/json', body: [json.slice(0, Math.max(1, json.length - 1 - cut)), `${json}}`, `\ufeff${json}`, "{'a':1}", '{"a":', 'nul'][cut % 6] };
        case 'text': return { contentType: 'text/plain', body: json };
        case 'form': return { contentType: 'application/x-www-form-urlencoded', body: form ? asForm() : 'a=b&c=d' };
        case 'untyped': return { body: json };
        case 'utf16': return { contentType: 'application/json; charset=utf-16', body: json };
        case 'gzip': return { contentType: 'application/json', encoding: 'gzip', body: json };
        case 'multipart': return { contentType: 'multipart/form-data; boundary=x', body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--' };
        default: return {};
      }
    });
}

const HOSTILE_SEGMENTS = ['%', '%zz', '%00', '%2F', '%2f..%2f', '..', '%2e%2e', '%C0%AF', '%ff%fe', '%25', '%E2%80%AE', ':id', '*', "'", '"', '~', '$', '{}', 'null', 'x'.repeat(3_000), '%u0041'];

/** A path segment: an existing id, an unknown one, or a hostile one (raw or percent-encoded). */
export function segment(fixture?: string): fc.Arbitrary<string> {
  const own = fixture === undefined ? [] : [{ weight: 8, arbitrary: fc.constant(fixture) }];
  return fc.oneof(
    ...own,
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
    { weight: 2, arbitrary: text.map((t) => encodeURIComponent(t.replace(/[\ud800-\udfff]/g, '')) || 'x') },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_|-]{1,40}$/) },
  );
}

/** A query string: the route's own keys and others, hostile values, repetitions, brackets, broken encoding. */
export function queryString(keys: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...keys, 'q', 'fields'), text.map((t) => encodeURIComponent(t.replace(/[\ud800-\udfff]/g, ''))));
  const value = fc.oneof(fc.constantFrom('1', '0', '-1', '100', '101', '1e9', 'true', 'false', 'abc', '', '%', '%zz', 'a,b,,c', 'email:"a@b"', 'x'.repeat(3_000)),
    text.map((t) => encodeURIComponent(t.replace(/[\ud800-\udfff]/g, ''))));
  const pair = fc.tuple(key, fc.constantFrom('', '', '', '[]', '[a]', '[a][b]'), value).map(([k, b, v]) => `${k}${b}=${v}`);
  return fc.oneof({ weight: 1, arbitrary: fc.constant('') },
    { weight: 4, arbitrary: fc.array(pair, { maxLength: 6 }).map((pairs) => pairs.join('&')) },
    { weight: 1, arbitrary: fc.integer({ min: 500, max: 2_000 }).map((n) => Array.from({ length: n }, (_, i) => `k${i % 7}=${i}`).join('&')) });
}
