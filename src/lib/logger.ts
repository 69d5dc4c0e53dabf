import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that may carry secrets anywhere in a log object. pino removes them before
 * serialization, so a careless `log.info({ req })` cannot leak a credential.
 */
const REDACT = [
  'password', 'secret', 'client_secret', 'access_token', 'refresh_token', 'id_token', 'code', 'token',
  'authorization', 'cookie', 'set-cookie', 'jwk', 'jwk_enc', 'secretsKey', 'SECRETS_KEY', 'ADMIN_CLIENT_SECRET',
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
