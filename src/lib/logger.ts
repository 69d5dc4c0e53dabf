import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that may carry secrets anywhere in a log object. pino removes them before
 * serialization, so a careless `log.info({ req })` cannot leak a credential.
 */
const REDACT = [
  'password', 'secret', 'client_secret', 'access_token', 'refresh_token', 'id_token', 'code', 'token',
  'authorization', 'cookie', 'set-cookie', 'jwk', 'jwk_enc', 'secretsKey', 'previousSecretsKeys', 'SECRETS_KEY', 'SECRETS_KEY_PREVIOUS', 'ADMIN_CLIENT_SECRET',
  '*.password', '*.secret', '*.client_secret', '*.access_token', '*.refresh_token', '*.id_token', '*.code',
  '*.token', '*.authorization', '*.cookie', '*.secretsKey', '*.jwk',
  'headers.authorization', 'headers.cookie', 'req.headers.authorization', 'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/** Structured JSON logger (one line per event) with secret fields redacted. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { pid: process.pid } },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

let noticeLog: Logger | undefined;

/**
 * oidc-provider prints its notices with console.warn/info; this sends them to the JSON log
 * instead (the latest logger given wins; installing twice is harmless). The notice about an
 * already-parsed body is expected (/oauth/token and /authorize are pre-parsed on purpose to
 * speak Auth0's dialect), so it is logged at debug level.
 */
export function routeLibraryNotices(log: Logger): void {
  const installed = noticeLog !== undefined;
  noticeLog = log;
  if (installed) return;
  for (const method of ['warn', 'info'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      const first = args[0];
      if (noticeLog && typeof first === 'string' && first.includes('oidc-provider ')) {
        const text = first.replace(/\x1b\[[0-9;]*m/g, '');
        if (text.includes('already parsed request body')) noticeLog.debug({ source: 'oidc-provider' }, text);
        else noticeLog[method]({ source: 'oidc-provider' }, text);
        return;
      }
      original(...args);
    };
  }
}
