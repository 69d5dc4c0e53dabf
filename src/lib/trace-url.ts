/** A URL as a trace may show it: no userinfo, query parameter names with their values replaced by "…". */
export function traceUrl(raw: string): string {
  try {
    const u = new URL(raw);
    const names = [...u.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=…`);
    return `${u.protocol}//${u.host}${u.pathname}${names.length ? `?${names.join('&')}` : ''}`;
  } catch {
    return '(invalid URL)';
  }
}
