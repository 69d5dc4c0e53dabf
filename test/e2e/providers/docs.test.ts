/**
 * Each docs/providers page shows its connection bodies and scripts exactly as the provider
 * tests use them (configs.ts), and explains every option beyond the basic ones.
 */
import { readFile } from 'node:fs/promises';
import { PROVIDER_DOCS } from './configs.ts';

const BASIC = new Set(['authorizationURL', 'tokenURL', 'client_id', 'client_secret', 'scripts']);
const FENCED = /```[a-z]*\n[\s\S]*?\n```/g;

describe.each(PROVIDER_DOCS)('docs/providers/$doc', ({ doc, connections, scripts }) => {
  let text = '';
  beforeAll(async () => {
    text = await readFile(new URL(`../../../docs/providers/${doc}`, import.meta.url), 'utf8');
  });

  test.each(connections.map((c) => [c.name, c] as const))('shows the %s connection body verbatim', (_name, body) => {
    expect(text).toContain(`\`\`\`json\n${JSON.stringify(body, null, 2)}\n\`\`\``);
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
