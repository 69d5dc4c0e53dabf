import OAuth2Strategy from 'passport-oauth2';
import type { oauth2tokenCallback } from 'oauth';
import type { UpstreamTokens } from './token-response.ts';

export interface BrokerStrategyOptions {
  authorizationURL: string;
  tokenURL: string;
  clientID: string;
  callbackURL: string;
  scope?: string;
  pkce: boolean;
  /** Extra authorization parameters (authParams, authParamsMap, renamed keys). */
  authorizeParams: Record<string, string>;
  stateStore: object;
  /** Sees the upstream authorization URL as it is sent (a try records it). */
  onAuthorizeUrl?: (url: string) => void;
}

/**
 * passport-oauth2 builds the way out (authorization redirect with state and PKCE, the state
 * recorded by our per-login store). The way back is the broker's callback steps, whose code
 * exchange is the engine's own egress-safe token request (every provider quirk): node-oauth's
 * HTTP layer is never used, and a code reaching this strategy is refused.
 */
export class BrokerStrategy extends OAuth2Strategy {
  readonly #authorizeParams: Record<string, string>;

  constructor(o: BrokerStrategyOptions) {
    super({
      authorizationURL: o.authorizationURL,
      tokenURL: o.tokenURL,
      clientID: o.clientID,
      clientSecret: '',
      callbackURL: o.callbackURL,
      ...(o.scope !== undefined ? { scope: o.scope } : {}),
      state: true,
      pkce: o.pkce,
      store: o.stateStore as OAuth2Strategy.StateStore,
      skipUserProfile: true,
      passReqToCallback: false,
    }, (_at: string, _rt: string, params: UpstreamTokens, _profile: unknown, done: OAuth2Strategy.VerifyCallback) => done(null, params));
    this.#authorizeParams = o.authorizeParams;
    const exchange = (_code: string, _params: Record<string, unknown>, callback: oauth2tokenCallback): void => {
      callback(new Error('the code exchange is the broker\'s callback steps, not passport\'s') as never, '', '', {});
    };
    this._oauth2.getOAuthAccessToken = exchange as typeof this._oauth2.getOAuthAccessToken;
    const seen = o.onAuthorizeUrl;
    if (seen) {
      const build = this._oauth2.getAuthorizeUrl.bind(this._oauth2);
      this._oauth2.getAuthorizeUrl = (params?: Record<string, unknown>) => {
        const url = build(params);
        seen(url);
        return url;
      };
    }
  }

  override authorizationParams(): Record<string, string> {
    return this.#authorizeParams;
  }
}
