import type { Express } from 'express';

/** What this walk reads of express 5's router layers (router@2: `rawPath`, `slash`, `route`, nested `stack`). */
interface Layer {
  rawPath?: unknown;
  slash?: boolean;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function walk(stack: Layer[], prefix: string, out: string[]): string[] {
  for (const layer of stack) {
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') out.push(`${method} ${prefix}${String(layer.route.path)}`);
    } else if (layer.handle?.stack) {
      walk(layer.handle.stack, layer.slash || typeof layer.rawPath !== 'string' ? prefix : `${prefix}${layer.rawPath}`, out);
    }
  }
  return out;
}

/** Every `method path` an express app actually mounts, nested routers included (paths in express's spelling). */
export function mountedRoutes(app: Express): string[] {
  const router = (app as unknown as { router: { stack: Layer[] } }).router;
  return walk(router.stack, '', []);
}
