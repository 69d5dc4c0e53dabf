import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

type Json = Record<string, unknown>;
interface Operation { method: string; template: string; pattern: RegExp; literals: number; responses: Record<string, Json> }

/** Checks Management API answers against an OpenAPI document: undefined when one matches, else what is wrong. */
export interface ResponseChecker {
  check(method: string, url: URL, status: number, bodyText: string): string | undefined;
}

// ajv-formats is CommonJS: its default export arrives as the module object under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

/** A schema without `required`: the answer to `fields=` holds any subset of the fields. */
function withoutRequired(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutRequired);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'required').map(([k, v]) => [k, withoutRequired(v)]));
}

function operations(document: Json): Operation[] {
  const out: Operation[] = [];
  for (const [template, item] of Object.entries((document['paths'] ?? {}) as Record<string, Record<string, Json>>)) {
    const segments = template.split('/').filter(Boolean);
    const pattern = new RegExp(`^/${segments.map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}/?$`);
    for (const [method, op] of Object.entries(item)) {
      out.push({ method, template, pattern, literals: segments.filter((s) => !s.startsWith('{')).length, responses: (op['responses'] ?? {}) as Record<string, Json> });
    }
  }
  return out;
}

const jsonSchemaOf = (response: Json | undefined): unknown =>
  ((response?.['content'] as Record<string, Json> | undefined)?.['application/json'])?.['schema'];

/** A checker for one document (what GET /api/v2/openapi.json answered). */
export function responseChecker(document: Json): ResponseChecker {
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
  const ops = operations(document);
  const compiled = new Map<unknown, ValidateFunction>();
  const validator = (schema: unknown, subset: boolean): ValidateFunction => {
    const key = subset ? JSON.stringify(['subset', schema]) : schema;
    let fn = compiled.get(key);
    if (!fn) compiled.set(key, (fn = ajv.compile((subset ? withoutRequired(schema) : schema) as Json)));
    return fn;
  };
  const anyError = ops.map((o) => o.responses['default']).find(Boolean);
  return {
    check(method, url, status, bodyText) {
      const path = url.pathname.slice(url.pathname.indexOf('/api/v2') + '/api/v2'.length) || '/';
      const op = ops.filter((o) => o.method === method.toLowerCase() && o.pattern.test(path)).sort((a, b) => b.literals - a.literals)[0];
      if (!op && status < 400) return `${method} ${path} answered ${status} but is not in the OpenAPI document`;
      const response = op ? (op.responses[String(status)] ?? op.responses['default']) : anyError;
      if (!response) return `${method} ${path} answered ${status}, a status the document does not list for ${op?.template}`;
      const schema = jsonSchemaOf(response);
      if (schema === undefined) return bodyText === '' ? undefined : `${method} ${path} answered ${status} with a body where the document says none`;
      let body: unknown;
      try {
        body = JSON.parse(bodyText);
      } catch {
        return `${method} ${path} answered ${status} with a body that is not JSON: ${bodyText.slice(0, 200)}`;
      }
      const validate = validator(schema, url.searchParams.has('fields'));
      if (validate(body)) return undefined;
      const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
      return `${method} ${path} answered ${status} not matching ${op?.template ?? 'the error body'}: ${errors.join('; ')}`;
    },
  };
}
