// report.html: one self-contained file, with the drawing script and the data inlined.
import type { PageData } from './page-data.ts';

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { padding: 16px 32px; background: #1d2b3a; color: #fff; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 4px 0 0; opacity: .8; }
header a { color: #9cd0ff; }
main { padding: 8px 32px 32px; max-width: 1040px; }
section.chart { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 12px 16px; margin: 16px 0; }
section.chart h2 { font-size: 16px; margin: 0 0 4px; }
section.chart p { margin: 0 0 8px; color: #555; }
table { border-collapse: collapse; }
td { padding: 2px 12px 2px 0; border-bottom: 1px solid #eee; }
td:first-child { color: #555; }
`;

/** Escapes what would end the JSON script element early. */
function inlineJson(data: PageData): string {
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

export function reportHtml(data: PageData, script: string): string {
  const title = data.kind === 'run' ? `depotsim run: ${data.title}` : `depotsim sweep: ${data.title}`;
  const subtitle =
    data.kind === 'run' ? `verdict ${data.verdict}; simulated ${(data.end / 3600).toFixed(1)} h` : `${data.points.length} grid points`;
  const trace =
    data.kind === 'run' && data.trace
      ? ' · <a id="trace" href="trace.json">trace.json</a>: every request, activation phase, fault and violation as a timeline; open it in ui.perfetto.dev or chrome://tracing'
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${title.replace(/</g, '&lt;')}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${title.replace(/</g, '&lt;')}</h1><p>${subtitle}${trace}</p></header>
<main></main>
<script type="application/json" id="report-data">${inlineJson(data)}</script>
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}
