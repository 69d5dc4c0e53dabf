/** The value of one sample of a Prometheus text exposition: `name` with exactly `labels` (0 when absent). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter(Boolean).sort();
    if (have.length === want.length && have.every((h, i) => h === want[i])) return Number(m[3]);
  }
  return 0;
}
