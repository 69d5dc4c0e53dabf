import { ConnectionError } from './errors.ts';
import type { RenderedPart } from './template.ts';

/**
 * Keeps template values in their place: a value an app supplied (template_params) that lands
 * in a URL's scheme or host must be one DNS label, or labels ending in the suffix the admin
 * declared (`host_suffix`), whatever its `pattern` allows. Then the URL as parsed must have
 * exactly the origin the template declares (its literal text, with each such placeholder as a
 * label), so no value and no quirk of URL parsing can steer a redirect or a token request to
 * another host.
 */

/** What the host check needs to know of each template_params entry. */
export type HostParams = Record<string, { from: string; host_suffix?: string | undefined }>;

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const LABEL_SOURCE = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const DEFAULT_PORTS: Record<string, string> = { 'https:': '443', 'http:': '80' };

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
const bareSuffix = (suffix: string): string => suffix.replace(/^\./, '');

/** Whether `value` may stand in a host: one label, or labels ending in `.suffix`. */
export function fitsHost(value: string, suffix?: string): boolean {
  if (LABEL.test(value)) return true;
  if (!suffix) return false;
  const tail = `.${bareSuffix(suffix)}`.toLowerCase();
  if (!value.toLowerCase().endsWith(tail) || value.length === tail.length) return false;
  return value.slice(0, -tail.length).split('.').every((label) => LABEL.test(label));
}

const placeholderSource = (suffix?: string): string =>
  suffix ? `(?:${LABEL_SOURCE}(?:\\.${LABEL_SOURCE})*\\.${escape(bareSuffix(suffix))}|${LABEL_SOURCE})` : LABEL_SOURCE;

/**
 * Checks a rendered URL (as its parts) against the origin its template declares; throws
 * ConnectionError naming the parameter or the host when a value left its place.
 */
export function checkRenderedOrigin(connection: string, field: string, parts: RenderedPart[], params: HostParams): void {
  const rendered = parts.map((p) => p.text).join('');
  const scheme = SCHEME.exec(rendered);
  const slash = scheme ? rendered.slice(scheme[0].length).search(/[/?#\\]/) : -1;
  const end = !scheme ? rendered.length : slash === -1 ? rendered.length : scheme[0].length + slash;
  let declared = '';
  let at = 0;
  for (const part of parts) {
    const from = at;
    at += part.text.length;
    if (from >= end) break;
    const spec = part.name !== undefined ? params[part.name] : undefined;
    if (!spec) {
      declared += escape(part.text.slice(0, end - from));
      continue;
    }
    if (at > end || !fitsHost(part.text, spec.host_suffix)) {
      throw new ConnectionError('template_param_invalid', `connection "${connection}": the /authorize parameter "${spec.from}" fills {{ ${part.name} }} ` +
        `in the host of ${field}, where a value must be one DNS label (letters, digits and inner hyphens)` +
        `${spec.host_suffix ? ` or end with ${spec.host_suffix}` : ''}`);
    }
    declared += placeholderSource(spec.host_suffix);
  }
  let url: URL | undefined;
  try {
    url = new URL(rendered);
  } catch {
    url = undefined;
  }
  const origin = new RegExp(`^${declared}$`, 'i');
  const port = url && !url.port ? DEFAULT_PORTS[url.protocol] : undefined;
  const actual = url ? `${url.protocol}//${url.host}` : '';
  if (!url || !url.host || url.username || url.password || !(origin.test(actual) || (port !== undefined && origin.test(`${actual}:${port}`)))) {
    throw new ConnectionError('url_not_allowed', `connection "${connection}": ${field} as rendered does not have the origin its template declares ` +
      `(scheme and host must be the template's own text, with each /authorize value as one label)`);
  }
}
