import type { KoaContextWithOIDC } from 'oidc-provider';
import { renderPage } from '../lib/render.ts';
import { errorPageModel } from './error-page.ts';

interface ErrorOut { error: string; error_description?: string }

/** oidc-provider's HTML hooks, rendered with the product's own look. */
export function createPages() {
  return {
    async renderError(ctx: KoaContextWithOIDC, out: ErrorOut): Promise<void> {
      ctx.type = 'html';
      ctx.body = await renderPage('error', {
        title: 'Sign-in problem',
        mainClass: 'error',
        heading: 'We could not sign you in',
        ...errorPageModel(ctx, out),
        code: out.error,
      });
    },
    async logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
      ctx.type = 'html';
      ctx.body = await renderPage('logout', { title: 'Sign out', form });
    },
    async postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
      ctx.type = 'html';
      ctx.body = await renderPage('error', { title: 'Signed out', heading: 'You are signed out', message: 'You can close this window.' });
    },
  };
}
