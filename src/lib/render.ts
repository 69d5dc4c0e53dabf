import ejs from 'ejs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const VIEWS = fileURLToPath(new URL('../../views/', import.meta.url));

/** Renders `views/<name>.ejs` inside `views/layout.ejs` (templates are cached after first use). */
export async function renderPage(name: string, data: Record<string, unknown> & { title: string }): Promise<string> {
  const body = await ejs.renderFile(join(VIEWS, `${name}.ejs`), data, { cache: true, async: false });
  return ejs.renderFile(join(VIEWS, 'layout.ejs'), { ...data, body }, { cache: true, async: false });
}
