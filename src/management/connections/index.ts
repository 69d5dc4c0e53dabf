import { Router } from 'express';
import type { FeatureDeps } from '../../features.ts';

/** Management API routers for connections (and the users they create), by mount path. */
export function connectionsManagement(_deps: FeatureDeps): Record<string, Router> {
  return {};
}
