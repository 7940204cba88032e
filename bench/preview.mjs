// The live preview's drawing time in headless Chromium (mermaid, flowchart): the real page and
// script, fed GraphViews of generated topologies of 10, 100 and 500 devices. Targets: 500
// devices drawn in under 2 s; an edit of a 100-device topology redrawn in under 300 ms.
// Times are taken inside the page, from the message's arrival to the picture being wired up.
// Big topologies fold the pods off the path (mermaid.ts FOLD_ABOVE); "every device drawn" is
// timed too.
// Run after `npm run build`: `node bench/preview.mjs`. Not a test: it prints figures.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!fs.existsSync(CHROMIUM)) {
  console.log(`preview bench skipped: Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`);
  process.exit(0);
}
const { chromium } = require('playwright-core');
const { parseTopology, Walker, buildGraphModel, previewHtml, makeNonce, COMPACT_ABOVE } = require('../dist/bench-core.js');

/** K nodes (a bridge with P pods, an uplink NIC each), wired in pairs: K * (2 + 2P) devices. */
function generate(K, P, extraPods = 0) {
  const lines = [];
  for (let n = 0; n < K; n++) {
    lines.push(`netns node${n} forwarding`);
    const ports = [];
    for (let p = 0; p < P + (n === 0 ? extraPods : 0); p++) {
      lines.push(`netns pod${n}-${p}`, `veth eth0@pod${n}-${p} 10.${n}.${1 + (p >> 8)}.${(p % 250) + 2}/16 -- veth${p}@node${n}`, `route @pod${n}-${p} default via 10.${n}.0.1`);
      ports.push(`veth${p}`);
    }
    lines.push(`bridge cni0@node${n} 10.${n}.0.1/16 ports ${ports.join(' ')}`, `nic eth0@node${n} 192.168.0.${n + 1}/24`);
  }
  for (let n = 0; n + 1 < K; n += 2) {
    lines.push(`wire eth0@node${n} -- eth0@node${n + 1}`, `route @node${n} 10.${n + 1}.0.0/16 via 192.168.0.${n + 2}`, `route @node${n + 1} 10.${n}.0.0/16 via 192.168.0.${n + 1}`);
  }
  lines.push(K > 1 ? `path pod0-0 -> pod1-${P - 1}` : `path pod0-0 -> pod0-${P - 1}`);
  return lines.join('\n');
}

function viewOf(text) {
  const file = '/bench/lab.topo';
  const { topology, diagnostics } = parseTopology(text, file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`generated topology has errors: ${errors[0].message}`);
  const w = new Walker(topology);
  const model = buildGraphModel({ topology, paths: topology.paths.map((p) => w.walk(p)), selected: 0, diagnostics });
  return { view: { version: 1, kind: 'topology', uri: model.uri, graphs: [model], selected: { graph: 0, path: 0 } }, devices: model.devices.length, hops: model.paths[0].hops.length };
}

// The page, served as the webview would load it (127.0.0.1, the CSP of the real page).
const nonce = makeNonce((n) => crypto.randomBytes(n));
let base = '';
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(previewHtml({ cspSource: base, nonce, mermaidUri: `${base}/dist/media/mermaid.min.js`, scriptUri: `${base}/dist/media/preview.js`, styleUri: `${base}/media/preview.css`, settings: { compactAbove: COMPACT_ABOVE } }));
    return;
  }
  const file = path.join(root, path.normalize(url.pathname));
  if (!/^\/(dist\/)?media\//.test(url.pathname) || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript; charset=utf-8' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
base = `http://127.0.0.1:${server.address().port}`;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-bench-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM, headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** A webview page; `state` as VS Code's getState() would give it (`{ expand: true }`: every device drawn). */
async function newPage(state) {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.addInitScript(`window.__dl = { posted: [], state: ${JSON.stringify(state ?? null)} || undefined }; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__dl.posted.push({ ...m, at: performance.now() }), getState: () => window.__dl.state, setState: (s) => { window.__dl.state = s; } });`);
  await page.goto(`${base}/`);
  await waitFor(page, 'window.__dl.posted.some((m) => m.type === "ready")');
  return page;
}

async function waitFor(page, expr, ms = 120_000) {
  const end = Date.now() + ms;
  while (!(await page.evaluate(expr))) {
    if (Date.now() > end) throw new Error(`timed out: ${expr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Posts a picture; returns ms from the message to the picture drawn and wired (measured in the page). */
async function draw(page, view) {
  const n = await page.evaluate('window.__dl.posted.filter((m) => m.type === "rendered").length');
  await page.evaluate(`window.__t0 = performance.now(); window.postMessage(${JSON.stringify({ type: 'graph', view })}, '*')`);
  await waitFor(page, `window.__dl.posted.filter((m) => m.type === "rendered").length > ${n}`);
  const r = await page.evaluate('window.__dl.posted.filter((m) => m.type === "rendered").pop()');
  if (r.kept) throw new Error('the picture was not redrawn');
  return { ms: r.at - (await page.evaluate('window.__t0')), nodes: r.nodes };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (x) => `${Math.round(x)} ms`;
const sizes = [[10, 1, 4], [100, 2, 24], [500, 5, 49]];
const figures = [];
try {
  for (const [want, K, P] of sizes) {
    const { view, devices, hops } = viewOf(generate(K, P));
    if (devices !== want) throw new Error(`generated ${devices} devices, wanted ${want}`);
    const runs = [];
    let nodes = 0;
    for (let i = 0; i < 4; i++) {
      // A fresh page each time: the first picture a webview draws (mermaid's own start included).
      const page = await newPage();
      const r = await draw(page, view);
      runs.push(r.ms);
      nodes = r.nodes;
      await page.close();
    }
    figures.push({ devices, hops, nodes, first: runs[0], median: median(runs.slice(1)) });
    console.log(`${String(devices).padStart(3)} devices (${nodes} nodes in the picture, path of ${hops} hops): first picture ${fmt(runs[0])}, then median ${fmt(median(runs.slice(1)))} over ${runs.length - 1} fresh webviews${devices === 500 ? ' (target < 2000 ms)' : ''}`);
  }
  // Every device drawn (the "Show all" button): what mermaid's layout costs without folding.
  for (const [want, K, P] of sizes.slice(1)) {
    const { view } = viewOf(generate(K, P));
    const page = await newPage({ expand: true });
    const r = await draw(page, view);
    await page.close();
    console.log(`${String(want).padStart(3)} devices with every device drawn ("Show all", ${r.nodes} nodes): ${fmt(r.ms)}`);
  }
  // Edits of a 100-device topology: each adds a pod (two devices), as typing would.
  const page = await newPage();
  await draw(page, viewOf(generate(2, 24)).view);
  const edits = [];
  for (let e = 1; e <= 8; e++) edits.push((await draw(page, viewOf(generate(2, 24, e)).view)).ms);
  await page.close();
  console.log(`edit of a 100-device topology, redrawn: median ${fmt(median(edits))}, max ${fmt(Math.max(...edits))} over ${edits.length} edits (target < 300 ms)`);
} finally {
  await browser.close();
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
