// Loads the real preview page (client/src/preview-html.ts) and script (dist/media/preview.js,
// with mermaid from dist/media) in headless Chromium, from a 127.0.0.1 server, with a stand-in
// for VS Code's acquireVsCodeApi that records what the webview posts and keeps its state.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { makeNonce, previewHtml } from '../../client/src/preview-html';
import type { FromWebview, PreviewState, ToWebview } from '../../client/src/preview-protocol';
import { COMPACT_ABOVE } from '../../server/src/preview/mermaid';

export const root = path.resolve(__dirname, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const results = path.join(root, 'test-results', 'webview');

/** Why the browser suites cannot run here, or undefined. */
export function unavailable(): string | undefined {
  if (!fs.existsSync(CHROMIUM)) return `Chromium is not installed at ${CHROMIUM} (apt-get install chromium; .ci/run does)`;
  for (const f of ['dist/media/preview.js', 'dist/media/mermaid.min.js']) {
    if (!fs.existsSync(path.join(root, f))) return `${f} is missing: run node esbuild.mjs first`;
  }
  return undefined;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8' };

/** Serves the page at / and the extension's media/ and dist/media/ (as localResourceRoots would). */
export async function serve(): Promise<{ url: string; nonce: string; csp: string; close(): Promise<void> }> {
  const nonce = makeNonce((n) => crypto.randomBytes(n));
  let base = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/') {
      const html = previewHtml({
        cspSource: base, nonce,
        mermaidUri: `${base}/dist/media/mermaid.min.js`, scriptUri: `${base}/dist/media/preview.js`, styleUri: `${base}/media/preview.css`,
        settings: { compactAbove: COMPACT_ABOVE },
      });
      res.writeHead(200, { 'content-type': TYPES['.html'] });
      res.end(html);
      return;
    }
    if (url.pathname === '/favicon.ico') { res.writeHead(204); res.end(); return; }
    const rel = path.normalize(decodeURIComponent(url.pathname)).replace(/^[/\\]+/, '');
    const allowed = rel.startsWith(`media${path.sep}`) || rel.startsWith(`dist${path.sep}media${path.sep}`);
    const file = path.join(root, rel);
    if (!allowed || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const csp = previewHtml({ cspSource: base, nonce, mermaidUri: '', scriptUri: '', styleUri: '', settings: { compactAbove: COMPACT_ABOVE } });
  return { url: `${base}/`, nonce, csp, close: () => new Promise((r) => server.close(() => r())) };
}

/** Chromium with a fresh profile (--user-data-dir, which Playwright takes as launchPersistentContext's folder). */
export async function launch(): Promise<{ browser: BrowserContext; close(): Promise<void> }> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-webview-chromium-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { browser, close: async () => { await browser.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); } };
}

export interface Webview {
  page: Page;
  /** Everything the webview posted, in order. */
  posted(): Promise<FromWebview[]>;
  state(): Promise<PreviewState | undefined>;
  /** Posts a message the way the extension does, and waits for the picture it causes. */
  send(m: ToWebview): Promise<Extract<FromWebview, { type: 'rendered' }>>;
  /** CSP violations and page errors seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** Opens the page; `state` is what VS Code would hand back to getState(). */
export async function open(browser: BrowserContext, url: string, opts: { state?: PreviewState; theme?: 'light' | 'dark' | 'hc'; width?: number; height?: number } = {}): Promise<Webview> {
  const page = await browser.newPage();
  await page.setViewportSize({ width: opts.width ?? 1280, height: opts.height ?? 760 });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.addInitScript(`(() => {
    window.__dl = { posted: [], state: ${JSON.stringify(opts.state ?? null)} || undefined, csp: [] };
    document.addEventListener('securitypolicyviolation', (e) => window.__dl.csp.push(e.violatedDirective + ' ' + e.blockedURI));
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__dl.posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => window.__dl.state,
      setState: (s) => { window.__dl.state = JSON.parse(JSON.stringify(s)); },
    });
  })()`);
  await page.goto(url);
  if (opts.theme) await setTheme(page, opts.theme);
  await until(page, 'window.__dl.posted.some((m) => m.type === "ready")');
  const posted = () => page.evaluate('window.__dl.posted') as Promise<FromWebview[]>;
  const count = async () => (await posted()).filter((m) => m.type === 'rendered').length;
  return {
    page, problems, posted,
    state: () => page.evaluate('window.__dl.state') as Promise<PreviewState | undefined>,
    async send(m) {
      const before = await count();
      await page.evaluate(`window.postMessage(${JSON.stringify(m)}, '*')`);
      await until(page, `window.__dl.posted.filter((m) => m.type === 'rendered').length > ${before}`, 60_000);
      const all = (await posted()).filter((x) => x.type === 'rendered');
      return all[all.length - 1] as Extract<FromWebview, { type: 'rendered' }>;
    },
    close: () => page.close(),
  };
}

/**
 * Polls `expr` in the page until it is truthy. (page.waitForFunction compiles its predicate
 * with eval inside the page, which the preview's CSP rightly refuses; evaluate does not.)
 */
export async function until(page: Page, expr: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await page.evaluate(expr))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The body classes and --vscode-* colours VS Code gives a webview for each kind of theme. */
const THEMES = {
  light: { cls: 'vscode-light', vars: { '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#3b3b3b', '--vscode-descriptionForeground': '#717171', '--vscode-editorWidget-background': '#f8f8f8', '--vscode-charts-green': '#388a34', '--vscode-charts-orange': '#d18616', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-purple': '#652d90', '--vscode-charts-yellow': '#bf8803', '--vscode-errorForeground': '#a1260d' } },
  dark: { cls: 'vscode-dark', vars: { '--vscode-editor-background': '#1f1f1f', '--vscode-editor-foreground': '#cccccc', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-editorWidget-background': '#202020', '--vscode-editorWidget-border': '#454545', '--vscode-charts-green': '#89d185', '--vscode-charts-orange': '#d18616', '--vscode-charts-blue': '#3794ff', '--vscode-charts-purple': '#b180d7', '--vscode-charts-yellow': '#cca700', '--vscode-errorForeground': '#f85149' } },
  hc: { cls: 'vscode-high-contrast', vars: { '--vscode-editor-background': '#000000', '--vscode-editor-foreground': '#ffffff', '--vscode-descriptionForeground': '#ffffff', '--vscode-contrastBorder': '#6fc3df', '--vscode-charts-green': '#89d185', '--vscode-charts-orange': '#d18616', '--vscode-charts-blue': '#3794ff', '--vscode-charts-purple': '#b180d7', '--vscode-charts-yellow': '#cca700', '--vscode-errorForeground': '#f48771' } },
} as const;

export async function setTheme(page: Page, theme: keyof typeof THEMES): Promise<void> {
  const t = THEMES[theme];
  await page.evaluate(`(() => {
    const s = document.documentElement.style;
    for (const k of [...s]) if (k.startsWith('--vscode-')) s.removeProperty(k);
    for (const [k, v] of Object.entries(${JSON.stringify(t.vars)})) s.setProperty(k, v);
    document.body.className = ${JSON.stringify(t.cls)};
  })()`);
}
