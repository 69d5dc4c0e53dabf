import express, { type NextFunction, type Request, type Response } from 'express';
import type { Store } from '../store/types.ts';
import { findClientGrant } from './grant-lookup.ts';

const parseForm = express.urlencoded({ extended: false, limit: '56kb' });
const parseJson = express.json({ limit: '56kb' });

function basicClientId(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? decodeURIComponent(decoded.slice(0, colon)) : undefined;
}

/**
 * Makes /oauth/token speak Auth0's dialect before oidc-provider sees it: JSON bodies are
 * accepted (Auth0 SDKs send them), `audience` means `resource`, and a client-credentials
 * request without `scope` asks for every scope its client grant holds.
 */
export function auth0TokenRequest(store: Store) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const json = req.is('application/json');
    const parser = json ? parseJson : parseForm;
    parser(req, res, (err?: unknown) => {
      if (err) return next(err);
      void (async () => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const form: Record<string, string> = {};
        for (const [key, value] of Object.entries(body)) {
          if (typeof value === 'string') form[key] = value;
          else if (typeof value === 'number' || typeof value === 'boolean') form[key] = String(value);
        }
        if (form['audience'] && !form['resource']) form['resource'] = form['audience'];
        delete form['audience'];
        if (form['grant_type'] === 'client_credentials' && form['resource'] && !form['scope']) {
          const clientId = form['client_id'] ?? basicClientId(req.headers.authorization);
          const grant = clientId ? await findClientGrant(store, req, clientId, form['resource']) : null;
          if (grant?.scope.length) form['scope'] = grant.scope.join(' ');
        }
        req.body = form;
        // oidc-provider reads an already-parsed body only as form data.
        req.headers['content-type'] = 'application/x-www-form-urlencoded';
        next();
      })().catch(next);
    });
  };
}
