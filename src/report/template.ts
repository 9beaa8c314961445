/**
 * The report page: one HTML file with everything inlined — the styles (`client/report.css`),
 * Chart.js (read from node_modules), the data as JSON, and the page script (`client/report.js`).
 *
 * Nothing is loaded when it is opened: a Content-Security-Policy forbids every fetch (default-src
 * 'none') and lets only these exact scripts and styles run (by their sha256), so a name or tag
 * in the inventory that looks like HTML can neither load nor run anything. The data goes in a
 * `<script type="application/json">` block with `<` escaped, which the browser never executes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InventoryError } from '../errors/inventoryError.js';
import { scrub } from '../log/redact.js';
import type { ReportData } from './reportData.js';

const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));

function readAsset(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new InventoryError('internal', `The report's ${what} (${file}) is missing from this installation.`, {
      hint: 'Reinstall aws-org-inventory (npm ci, then npm run build).',
      cause: error,
    });
  }
}

/** Chart.js's UMD build (it defines `window.Chart`), from the installed package. */
function chartLibrary(): string {
  let main: string;
  try {
    main = createRequire(import.meta.url).resolve('chart.js');
  } catch (error) {
    throw new InventoryError('internal', 'The chart.js package is not installed; the report inlines it.', { hint: 'Run npm ci in the installation.', cause: error });
  }
  const source = readAsset(path.join(path.dirname(main), 'chart.umd.min.js'), 'chart library');
  // The source map is not shipped in the page, so a browser's developer tools must not ask for it.
  return source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}

interface Assets {
  css: string;
  script: string;
  charts: string;
}

let cached: Assets | null = null;

function assets(): Assets {
  cached ??= {
    css: readAsset(path.join(CLIENT_DIR, 'report.css'), 'style sheet'),
    script: readAsset(path.join(CLIENT_DIR, 'report.js'), 'page script'),
    charts: chartLibrary(),
  };
  return cached;
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Inline script text can never end its element early. */
function safeScript(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON for a `<script type="application/json">` block: no `<`, `>` or `&` left to parse as HTML. */
function jsonBlock(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The complete page. Secrets this process knows of are scrubbed from the data, though none should be in it. */
export function renderReport(data: ReportData): string {
  const { css, script, charts } = assets();
  const chartsJs = safeScript(charts);
  const pageJs = safeScript(script);
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(chartsJs)} ${sha256(pageJs)}`,
    `style-src ${sha256(css)}`,
    'img-src data:',
    "connect-src 'none'",
    "font-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = `Inventory report: run ${data.run.id} (${data.run.status})`;
  const time = (iso: string): string => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
  const subtitle = `Run ${data.run.id} · ${data.run.status} · started ${time(data.run.startedAt)} · report generated ${time(data.generatedAt)} from ${data.source} by aws-org-inventory ${data.toolVersion}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="aws-org-inventory ${escapeHtml(data.toolVersion)}">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
<header class="page">
<h1>AWS organization inventory</h1>
<p>${escapeHtml(subtitle)}</p>
</header>
<nav class="tabs" id="tabs" role="tablist" aria-label="Views"></nav>
<main id="views">
<noscript><p>This report draws its views with JavaScript; allow scripts for this file to see them. The same data is in ${escapeHtml(data.source)}.</p></noscript>
</main>
<script type="application/json" id="report-data">${scrub(jsonBlock(data))}</script>
<script>${chartsJs}</script>
<script>${pageJs}</script>
</body>
</html>
`;
}
