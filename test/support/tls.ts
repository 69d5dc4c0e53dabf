import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert { certFile: string; keyFile: string; cert: Buffer }

/** A self-signed certificate (default for 127.0.0.1 and localhost), made with the openssl CLI. */
export function makeTestCert(altNames = 'DNS:localhost,IP:127.0.0.1'): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
    '-subj', '/CN=localhost', '-addext', `subjectAltName=${altNames}`], { stdio: 'ignore' });
  return { certFile, keyFile, cert: readFileSync(certFile) };
}
