/**
 * Each docs/providers page shows its connection bodies and scripts exactly as the provider
 * tests use them (configs.ts), ships each body as docs/providers/<name>.json for its curl
 * command, and explains every option beyond the basic ones.
 */
import { readdir, readFile } from 'node:fs/promises';
import { PROVIDER_DOCS } from './configs.ts';

const DOCS = new URL('../../../docs/providers/', import.meta.url);

const BASIC = new Set(['authorizationURL', 'tokenURL', 'client_id', 'client_secret', 'scripts']);
const FENCED = /```[a-z]*\n[\s\S]*?\n```/g;

describe.each(PROVIDER_DOCS)('docs/providers/$doc', ({ doc, connections, scripts }) => {
  let text = '';
  beforeAll(async () => {
    text = await readFile(new URL(doc, DOCS), 'utf8');
  });

  test.each(connections.map((c) => [c.name, c] as const))('shows the %s connection body verbatim', (_name, body) => {
    expect(text).toContain(`\`\`\`json\n${JSON.stringify(body, null, 2)}\n\`\`\``);
  });

  test.each(connections.map((c) => [c.name, c] as const))('ships the %s body as a file that its curl command posts', async (name, body) => {
    await expect(readFile(new URL(`${name}.json`, DOCS), 'utf8')).resolves.toBe(`${JSON.stringify(body, null, 2)}\n`);
    expect(text).toContain(`-H 'content-type: application/json' -d @docs/providers/${name}.json\n\`\`\``);
  });

  test('shows each profile script verbatim, readable', () => {
    for (const script of scripts) expect(text).toContain(`\`\`\`js\n${script}\n\`\`\``);
  });

  test('explains, outside the code blocks, every option it sets beyond the basic ones', () => {
    const prose = text.replace(FENCED, '');
    const options = [...new Set(connections.flatMap((c) => Object.keys(c.options)))].filter((k) => !BASIC.has(k));
    expect(options.filter((k) => !prose.includes(`\`${k}\``))).toEqual([]);
  });
});

test('docs/providers holds no JSON file that no tested connection backs', async () => {
  const shipped = (await readdir(DOCS)).filter((f) => f.endsWith('.json')).sort();
  expect(shipped).toEqual(PROVIDER_DOCS.flatMap((d) => d.connections.map((c) => `${c.name}.json`)).sort());
});

test('the Microsoft page warns that a multi-tenant tenant admits every work account, and shows how to restrict it', async () => {
  const text = await readFile(new URL('microsoft.md', DOCS), 'utf8');
  const section = /## Who can sign in: restrict the tenant\n([\s\S]*?)\n## /.exec(text)?.[1] ?? '';
  expect(section).toMatch(/\*\*Warning\.\*\*[^]*`organizations`[^]*`common`[^]*\*\*any\*\* Entra ID tenant/);
  expect(section).toContain('"tenant": "YOUR_TENANT_ID"');
  expect(section).toContain('remove `template_params`');
});
