import type { Config } from '../config/load.ts';
import type { LimitKind, LimitRule } from './types.ts';

type LimitSettings = Pick<Config, 'RATE_LIMIT_WINDOW' | 'RATE_LIMIT_AUTHORIZE' | 'RATE_LIMIT_LOGIN' | 'RATE_LIMIT_MANAGEMENT'
  | 'RATE_LIMIT_FAILURE_WINDOW' | 'RATE_LIMIT_TOKEN_FAILURES' | 'RATE_LIMIT_TOKEN_FAILURES_PER_IP'
  | 'RATE_LIMIT_MANAGEMENT_AUTH_FAILURES'>;

/** Every limit kind with its points and window, from the settings. */
export function limitRules(c: LimitSettings): Record<LimitKind, LimitRule> {
  const requests = (points: number): LimitRule => ({ points, durationSeconds: c.RATE_LIMIT_WINDOW, failures: false });
  const failures = (points: number): LimitRule => ({ points, durationSeconds: c.RATE_LIMIT_FAILURE_WINDOW, failures: true });
  return {
    token_auth_client_ip: failures(c.RATE_LIMIT_TOKEN_FAILURES),
    token_auth_ip: failures(c.RATE_LIMIT_TOKEN_FAILURES_PER_IP),
    authorize_ip: requests(c.RATE_LIMIT_AUTHORIZE),
    login_ip: requests(c.RATE_LIMIT_LOGIN),
    management_token: requests(c.RATE_LIMIT_MANAGEMENT),
    management_auth_ip: failures(c.RATE_LIMIT_MANAGEMENT_AUTH_FAILURES),
  };
}
