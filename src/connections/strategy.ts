import OAuth2Strategy from 'passport-oauth2';
import type { oauth2tokenCallback } from 'oauth';
import { requestTokens, type TokenCall } from './upstream-token.ts';
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
  /** Everything the token request needs except the grant, which passport supplies. */
  tokenCall: Omit<TokenCall, 'grant'>;
  /** Sees the upstream authorization URL as it is sent (a try records it). */
  onAuthorizeUrl?: (url: string) => void;
}

/**
 * passport-oauth2 runs the flow (authorization redirect with state and PKCE, callback,
 * state check through our per-login store); the token request goes through the engine's
 * own egress-safe client, which carries every provider quirk. A successful exchange ends
 * with the upstream tokens as passport's "user": what happens next is the broker's steps.
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
    const exchange = (code: string, params: Record<string, unknown>, callback: oauth2tokenCallback): void => {
      const verifier = typeof params['code_verifier'] === 'string' ? params['code_verifier'] : undefined;
      requestTokens({ ...o.tokenCall, grant: { grant_type: 'authorization_code', code, redirect_uri: o.callbackURL, ...(verifier ? { code_verifier: verifier } : {}) } })
        .then(
          (tokens) => callback(null as never, tokens.accessToken, tokens.refreshToken ?? '', tokens),
          (err: unknown) => callback(err as never, '', '', {}),
        );
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
