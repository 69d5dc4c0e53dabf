import type { Router } from 'express';

/** What the router keeps of each mounted layer (express 5 / router 2: rawPath, route, handle.stack). */
interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every route of an express router as "METHOD /path", walking mounted sub-routers. */
export function mountedRoutes(router: Router, prefix = ''): string[] {
  const out: string[] = [];
  for (const layer of (router as unknown as { stack: Layer[] }).stack) {
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') out.push(`${method.toUpperCase()} ${prefix}${layer.route.path === '/' && prefix ? '' : layer.route.path}`);
    } else if (layer.handle?.stack && typeof layer.rawPath === 'string') {
      out.push(...mountedRoutes(layer.handle as unknown as Router, `${prefix}${layer.rawPath}`));
    }
  }
  return out;
}
