import type { NextFunction, Request, Response } from 'express';
import { parse as parseQuery, stringify } from 'node:querystring';
import type { Store } from '../store/types.ts';
import { findClientGrant } from './grant-lookup.ts';

/** oidc-provider's own limit for token request bodies. */
const LIMIT = 56 * 1024;
const FORM = 'application/x-www-form-urlencoded';

type Form = Record<string, string | string[] | undefined>;

/** The form of each token request as this dialect read it (req.body is the text handed to oidc-provider). */
const forms = new WeakMap<Request, Form>();

/** The client_id a token request names: in its parsed form (client_secret_post) or its HTTP Basic header. */
export function tokenRequestClientId(req: Request): string | undefined {
  const fromForm = forms.get(req)?.['client_id'];
  return typeof fromForm === 'string' ? fromForm : basicClientId(req.headers.authorization);
}

function basicClientId(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  try {
    return colon > 0 ? decodeURIComponent(decoded.slice(0, colon)) : undefined;
  } catch {
    return undefined;
  }
}

class BodyError extends Error {}

function readBody(req: Request): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > LIMIT) {
        reject(new BodyError('the request body is too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A form body is read as oidc-provider itself reads it (node:querystring, so a repeated
 * parameter stays an array and oidc-provider refuses it as a duplicate).
 */
function parse(type: string, text: string): Form {
  if (type === FORM) return parseQuery(text);
  // No prototype, like querystring's: a "__proto__" member is only a (refused) parameter.
  const form = Object.create(null) as Form;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BodyError('the JSON body cannot be parsed');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new BodyError('the JSON body must be an object');
  for (const [key, value] of Object.entries(json)) {
    // A lone UTF-16 surrogate ("\ud800") is valid JSON but no form text can carry it.
    if (!key.isWellFormed() || (typeof value === 'string' && !value.isWellFormed())) {
      throw new BodyError(`the JSON member "${key.slice(0, 50).toWellFormed()}" is not well-formed text (a lone surrogate)`);
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') form[key] = String(value);
    else if (value !== null && value !== undefined) throw new BodyError(`the JSON member "${key.slice(0, 50)}" must be a string`);
  }
  return form;
}

/**
 * Makes /oauth/token speak Auth0's dialect before oidc-provider sees it: JSON bodies are
 * accepted (Auth0 SDKs send them), `audience` means `resource`, and a client-credentials
 * request without `scope` asks for every scope its client grant holds. The body is read
 * once here (a lean parser: this is the hottest endpoint) and handed over already parsed.
 */
export function auth0TokenRequest(store: Store) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    // Anything else goes through untouched: oidc-provider answers it with its own error.
    if (type !== FORM && type !== 'application/json') return next();
    if (Number(req.headers['content-length']) > LIMIT) {
      // Refused before reading; the connection closes so the unread body is not parsed as a request.
      res.setHeader('connection', 'close');
      return void res.status(413).json({ error: 'invalid_request', error_description: 'the request body is too large' });
    }
    void (async () => {
      let form: Form;
      let text: string;
      try {
        text = await readBody(req);
        form = parse(type, text);
      } catch (err) {
        if (!(err instanceof BodyError)) throw err;
        return void res.status(err.message.includes('too large') ? 413 : 400).json({ error: 'invalid_request', error_description: err.message });
      }
      let changed = type !== FORM;
      const audience = form['audience'];
      if (audience !== undefined) {
        if (typeof audience === 'string' && form['resource'] === undefined) form['resource'] = audience;
        delete form['audience'];
        changed = true;
      }
      const resource = form['resource'];
      if (form['grant_type'] === 'client_credentials' && typeof resource === 'string' && form['scope'] === undefined) {
        const clientId = typeof form['client_id'] === 'string' ? form['client_id'] : basicClientId(req.headers.authorization);
        const grant = clientId ? await findClientGrant(store, req, clientId, resource) : null;
        if (grant?.scope.length) {
          form['scope'] = grant.scope.join(' ');
          changed = true;
        }
      }
      forms.set(req, form);
      // Handed over as form text, which oidc-provider parses once (an object it would stringify and parse again).
      req.body = changed ? stringify(form) : text;
      req.headers['content-type'] = FORM;
      next();
    })().catch(next);
  };
}
