/**
 * URL templates: a small, safe subset of Jinja, so one connection can serve per-tenant or
 * per-environment URLs (Locoia-style):
 *   {{ subdomain }}                                   a variable
 *   {% if environment == 'sandbox' %}sandbox-api{% else %}business-api{% endif %}
 *   {% if a != "x" %}…{% elif b %}…{% endif %}          comparisons and truthiness, nestable
 * No expressions beyond that, no filters, no code: rendering cannot do anything but join text.
 */

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'var'; name: string }
  | { kind: 'if'; branches: { test: Test | null; body: Node[] }[] };

interface Test { name: string; op?: '==' | '!='; value?: string }

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const TOKEN = /\{\{\s*(.*?)\s*\}\}|\{%\s*(.*?)\s*%\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TEST = /^([A-Za-z_][A-Za-z0-9_]*)(?:\s*(==|!=)\s*(?:'([^']*)'|"([^"]*)"))?$/;

function parseTest(expr: string): Test {
  const m = TEST.exec(expr);
  if (!m?.[1]) throw new TemplateError(`unsupported condition "${expr}": use name, name == 'value' or name != 'value'`);
  return m[2] ? { name: m[1], op: m[2] as '==' | '!=', value: m[3] ?? m[4] ?? '' } : { name: m[1] };
}

function parse(text: string): Node[] {
  const root: Node[] = [];
  const stack: { node: Extract<Node, { kind: 'if' }>; sawElse: boolean }[] = [];
  const out = (): Node[] => stack.at(-1)?.node.branches.at(-1)?.body ?? root;
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index > last) out().push({ kind: 'text', text: text.slice(last, m.index) });
    last = m.index + m[0].length;
    if (m[1] !== undefined) {
      if (!NAME.test(m[1])) throw new TemplateError(`"{{ ${m[1]} }}" is not a variable name`);
      out().push({ kind: 'var', name: m[1] });
      continue;
    }
    const tag = m[2] ?? '';
    const [word, ...rest] = tag.split(/\s+/);
    const expr = rest.join(' ');
    const open = stack.at(-1);
    if (word === 'if') {
      const node: Extract<Node, { kind: 'if' }> = { kind: 'if', branches: [{ test: parseTest(expr), body: [] }] };
      out().push(node);
      stack.push({ node, sawElse: false });
    } else if (word === 'elif' || word === 'else') {
      if (!open || open.sawElse) throw new TemplateError(`{% ${word} %} without a matching {% if %}`);
      open.sawElse = word === 'else';
      open.node.branches.push({ test: word === 'elif' ? parseTest(expr) : null, body: [] });
    } else if (word === 'endif') {
      if (!stack.pop()) throw new TemplateError('{% endif %} without a matching {% if %}');
    } else {
      throw new TemplateError(`unsupported tag {% ${tag} %}: only if/elif/else/endif`);
    }
  }
  if (stack.length) throw new TemplateError('{% if %} is missing its {% endif %}');
  if (last < text.length) out().push({ kind: 'text', text: text.slice(last) });
  return root;
}

function collect(nodes: Node[], into: Set<string>): void {
  for (const node of nodes) {
    if (node.kind === 'var') into.add(node.name);
    if (node.kind === 'if') {
      for (const b of node.branches) {
        if (b.test) into.add(b.test.name);
        collect(b.body, into);
      }
    }
  }
}

/** Syntax problem of a template, or undefined when it is fine. */
export function templateProblem(text: string): string | undefined {
  try {
    parse(text);
    return undefined;
  } catch (err) {
    return err instanceof TemplateError ? `template: ${err.message}` : 'template: cannot parse';
  }
}

/** Names of every variable a template reads (placeholders and conditions). */
export function templateVariables(text: string): string[] {
  try {
    const names = new Set<string>();
    collect(parse(text), names);
    return [...names];
  } catch {
    return [];
  }
}

function passes(test: Test, vars: Record<string, string>): boolean {
  const value = vars[test.name];
  if (!test.op) return value !== undefined && value !== '';
  return test.op === '==' ? value === test.value : value !== test.value;
}

/** One piece of a rendered template: literal text, or the value of the variable `name`. */
export interface RenderedPart { text: string; name?: string }

function renderNodes(nodes: Node[], vars: Record<string, string>, out: RenderedPart[]): void {
  for (const node of nodes) {
    if (node.kind === 'text') out.push({ text: node.text });
    else if (node.kind === 'var') {
      const value = vars[node.name];
      if (value === undefined) throw new TemplateError(`no value for {{ ${node.name} }}`);
      out.push({ text: value, name: node.name });
    } else {
      const branch = node.branches.find((b) => !b.test || passes(b.test, vars));
      if (branch) renderNodes(branch.body, vars, out);
    }
  }
}

/** Renders a template into its pieces, so a caller can tell where each value landed. */
export function renderTemplateParts(text: string, vars: Record<string, string>): RenderedPart[] {
  const out: RenderedPart[] = [];
  renderNodes(parse(text), vars, out);
  return out;
}

/** Renders a template; variables must already be validated by the caller. */
export function renderTemplate(text: string, vars: Record<string, string>): string {
  return renderTemplateParts(text, vars).map((p) => p.text).join('');
}

const MAX_SAMPLES = 64;

function samples(nodes: Node[], fill: (name: string) => string): string[] {
  let out = [''];
  for (const node of nodes) {
    let options: string[];
    if (node.kind === 'text') options = [node.text];
    else if (node.kind === 'var') options = [fill(node.name)];
    else {
      options = node.branches.flatMap((b) => samples(b.body, fill));
      if (!node.branches.some((b) => b.test === null)) options.push('');
    }
    out = out.flatMap((prefix) => options.map((o) => prefix + o)).slice(0, MAX_SAMPLES);
  }
  return out;
}

/**
 * Every text a template can render to (each branch of each condition, up to 64), with
 * `fill(name)` for each variable: what validation checks, so no branch hides a bad URL.
 */
export function templateSamples(text: string, fill: (name: string) => string): string[] {
  try {
    return samples(parse(text), fill);
  } catch {
    return [];
  }
}
