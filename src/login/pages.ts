import type { Response } from 'express';
import { renderPage } from '../lib/render.ts';
import type { ConnectionRecord } from '../store/types.ts';

/** One button on the login page. */
export interface LoginButton { name: string; label: string; icon?: string; initial: string }

/** The login page's buttons: connections enabled for the app and shown as buttons. */
export function loginButtons(connections: ConnectionRecord[]): LoginButton[] {
  return connections.filter((c) => c.show_as_button).map((c) => {
    const label = c.display_name || c.name;
    const icon = typeof c.options['icon_url'] === 'string' ? c.options['icon_url'] : undefined;
    return { name: c.name, label, ...(icon ? { icon } : {}), initial: label.slice(0, 1).toUpperCase() };
  }).sort((a, b) => a.label.localeCompare(b.label));
}

/** Security headers of our HTML pages: nothing loads but inline styles and https images. */
export function pageHeaders(res: Response, allowHttpImages: boolean): void {
  res.setHeader('content-security-policy',
    `default-src 'none'; style-src 'unsafe-inline'; img-src https: data:${allowHttpImages ? ' http:' : ''}; frame-ancestors 'none'; base-uri 'none'`);
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('cache-control', 'no-store');
}

/** Sends an HTML page. */
export async function sendPage(res: Response, status: number, view: string, data: Record<string, unknown> & { title: string }): Promise<void> {
  res.status(status).type('html').send(await renderPage(view, data));
}

/** The "this sign-in expired — start again" page. */
export function sendExpired(res: Response, detail: string): Promise<void> {
  return sendPage(res, 400, 'error', {
    title: 'Sign-in expired', mainClass: 'error', heading: 'This sign-in expired',
    message: 'Go back to the application and start again.', detail, code: 'login_expired',
  });
}
