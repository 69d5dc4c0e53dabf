import type { NextFunction, Request, Response } from 'express';

/** The pending authorization request a login starts from (what the login pages know of it). */
export interface LoginStartInfo {
  uid: string;
  clientId: string;
  /** The authorization request's parameters as oidc-provider kept them. */
  params: Record<string, unknown>;
}

/** A fresh upstream access token, as the Management API returns it. */
export interface RefreshedToken {
  access_token: string;
  expires_in?: number;
  token_type?: string;
  scope?: string;
  /** True when the provider rotated the refresh token (the new one is stored, never returned). */
  refresh_token_rotated: boolean;
}

/**
 * Refreshes a user's upstream access token at one connection with the stored refresh token.
 * Rejects with RefreshUnavailable when there is nothing to refresh, or ConnectionError when
 * the provider refuses.
 */
export type Refresher = (userId: string, connection: string) => Promise<RefreshedToken>;

/**
 * The brokered login, as the login routes and the Management API use it. Failures a person
 * can act on never reject: they end as the app's OAuth error or the "start again" page.
 */
export interface Broker {
  /** Leaves for the provider: builds the authorization request and records the login attempt. */
  start(req: Request, res: Response, next: NextFunction, info: LoginStartInfo, connection: string): Promise<void>;
  /** Comes back from the provider: runs the callback steps and answers the browser. */
  callback(req: Request, res: Response, next: NextFunction): Promise<void>;
  /** Refreshes an identity's upstream tokens through the same engine. */
  refresh: Refresher;
}
