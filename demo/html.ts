/** The few HTML helpers the demo's two example servers share: escaping and one page shell marked as a demo. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
.banner{background:#ffd24d;color:#3a2c00;padding:.5rem 1rem;font-size:.9rem;text-align:center}
main{max-width:44rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:10px;box-shadow:0 1px 4px #0002}
label{display:block;margin:.8rem 0 .2rem;font-weight:600}input{width:100%;box-sizing:border-box;padding:.55rem;font-size:1rem}
button,.button{display:inline-block;margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem;border:0;border-radius:6px;background:#2f5bea;color:#fff;text-decoration:none;cursor:pointer}
pre{background:#f0f2f5;padding:.8rem;overflow:auto;font-size:.85rem}dt{font-weight:600;margin-top:.6rem}dd{margin:0;font-family:monospace;word-break:break-all}`;

/** A complete page: a demo banner naming who serves it, then `body` (already escaped HTML). */
export function page(title: string, servedBy: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · demo</title><style>${STYLE}</style></head><body>
<div class="banner" role="note">DEMO — ${esc(servedBy)}, started by <code>npm run demo</code>. Nothing here is for production.</div>
<main>${body}</main></body></html>`;
}
