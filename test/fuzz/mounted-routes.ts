import type { Express, Router } from 'express';

/** What the router keeps of each mounted layer (express 5 / router 2: rawPath, route, handle.stack). */
interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

const join = (prefix: string, path: string): string => (path === '/' ? prefix || '/' : `${prefix}${path}`);

function walk(stack: Layer[], prefix: string): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: join(prefix, layer.route.path) });
    } else if (layer.handle?.stack && typeof layer.rawPath === 'string') {
      out.push(...walk(layer.handle.stack, join(prefix, layer.rawPath) === '/' ? prefix : join(prefix, layer.rawPath)));
    }
  }
  return out;
}

/** Every route the application serves, as method + absolute express path, walking mounted routers. */
export function mountedRoutes(app: Express): { method: string; path: string }[] {
  return walk((app as unknown as { router: Router & { stack: Layer[] } }).router.stack, '');
}
